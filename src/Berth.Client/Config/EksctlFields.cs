namespace Berth.Client.Config;

/// <summary>
/// The fields eksctl's <c>v1alpha5</c> schema knows for each object a ClusterConfig holds, so a field Berth does not
/// serve is told apart from a misspelt one; and why Berth refuses the ones users meet most.
/// </summary>
internal static class EksctlFields
{
    public static readonly IReadOnlySet<string> ClusterConfig = new HashSet<string>(StringComparer.Ordinal)
    {
        "apiVersion", "kind", "metadata", "kubernetesNetworkConfig", "autoModeConfig", "remoteNetworkConfig", "iam", "iamIdentityMappings",
        "identityProviders", "accessConfig", "vpc", "addons", "addonsConfig", "privateCluster", "nodeGroups", "managedNodeGroups",
        "fargateProfiles", "availabilityZones", "localZones", "cloudWatch", "secretsEncryption", "status", "gitops", "karpenter", "outpost",
        "zonalShiftConfig",
    };

    public static readonly IReadOnlySet<string> Metadata = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "region", "version", "tags", "annotations", "accountID",
    };

    /// <summary>The fields the two kinds of node group share, and those of each.</summary>
    public static readonly IReadOnlySet<string> NodeGroup = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "amiFamily", "instanceType", "availabilityZones", "subnets", "instancePrefix", "instanceName", "volumeSize", "ssh", "labels",
        "privateNetworking", "tags", "iam", "ami", "securityGroups", "maxPodsPerNode", "asgSuspendProcesses", "ebsOptimized", "volumeType",
        "volumeName", "volumeEncrypted", "volumeKmsKeyID", "volumeIOPS", "volumeThroughput", "additionalVolumes", "preBootstrapCommands",
        "overrideBootstrapCommand", "propagateASGTags", "disableIMDSv1", "disablePodIMDS", "placement", "efaEnabled", "instanceSelector",
        "bottlerocket", "enableDetailedMonitoring", "capacityReservation", "instanceMarketOptions", "outpostARN", "desiredCapacity", "minSize",
        "maxSize", "instancesDistribution", "asgMetricsCollection", "cpuCredits", "classicLoadBalancerNames", "targetGroupARNs", "taints",
        "updateConfig", "clusterDNS", "kubeletExtraConfig", "containerRuntime", "maxInstanceLifetime", "localZones", "debug",
        "instanceTypes", "spot", "launchTemplate", "releaseVersion", "nodeRepairConfig",
    };

    public static readonly IReadOnlySet<string> NodeGroupIam = new HashSet<string>(StringComparer.Ordinal)
    {
        "attachPolicy", "attachPolicyARNs", "instanceProfileARN", "instanceRoleARN", "instanceRoleName", "instanceRolePermissionsBoundary",
        "withAddonPolicies",
    };

    public static readonly IReadOnlySet<string> AddonPolicies = new HashSet<string>(StringComparer.Ordinal)
    {
        "imageBuilder", "autoScaler", "externalDNS", "certManager", "appMesh", "appMeshPreview", "ebs", "fsx", "efs", "awsLoadBalancerController",
        "xRay", "cloudWatch",
    };

    public static readonly IReadOnlySet<string> ClusterIam = new HashSet<string>(StringComparer.Ordinal)
    {
        "serviceRoleARN", "serviceRolePermissionsBoundary", "fargatePodExecutionRoleARN", "fargatePodExecutionRolePermissionsBoundary",
        "withOIDC", "serviceAccounts", "podIdentityAssociations", "vpcResourceControllerPolicy",
    };

    public static readonly IReadOnlySet<string> ServiceAccount = new HashSet<string>(StringComparer.Ordinal)
    {
        "metadata", "attachPolicyARNs", "wellKnownPolicies", "attachPolicy", "attachRoleARN", "permissionsBoundary", "status", "roleName",
        "roleOnly", "tags",
    };

    public static readonly IReadOnlySet<string> ObjectMeta = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "namespace", "labels", "annotations",
    };

    public static readonly IReadOnlySet<string> FargateProfile = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "podExecutionRoleARN", "selectors", "subnets", "tags", "status",
    };

    public static readonly IReadOnlySet<string> FargateSelector = new HashSet<string>(StringComparer.Ordinal) { "namespace", "labels" };

    public static readonly IReadOnlySet<string> Addon = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "version", "serviceAccountRoleARN", "attachPolicyARNs", "attachPolicy", "permissionsBoundary", "wellKnownPolicies", "tags",
        "resolveConflicts", "configurationValues", "podIdentityAssociations", "useDefaultPodIdentityAssociations",
    };

    public static readonly IReadOnlySet<string> CloudWatch = new HashSet<string>(StringComparer.Ordinal) { "clusterLogging" };

    public static readonly IReadOnlySet<string> ClusterLogging = new HashSet<string>(StringComparer.Ordinal) { "enableTypes", "logRetentionInDays" };

    public static readonly IReadOnlySet<string> SecretsEncryption = new HashSet<string>(StringComparer.Ordinal) { "keyARN" };

    public static readonly IReadOnlySet<string> Taint = new HashSet<string>(StringComparer.Ordinal) { "key", "value", "effect" };

    public static readonly IReadOnlySet<string> Tags = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Why Berth refuses the fields users meet most, each in a line that says what to do instead.</summary>
    public static readonly IReadOnlyDictionary<string, string> Why = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ssh"] = "a Berth node is a local agent process; reach its pods with kubectl exec",
        ["ami"] = "Berth nodes run no machine image; leave it out (amiFamily picks the AMI type EKS reports)",
        ["volumeType"] = "node disks are the host's; volumeSize alone is recorded",
        ["volumeEncrypted"] = "node disks are the host's",
        ["volumeKmsKeyID"] = "node disks are the host's",
        ["preBootstrapCommands"] = "a Berth node runs no bootstrap script",
        ["overrideBootstrapCommand"] = "a Berth node runs no bootstrap script",
        ["launchTemplate"] = "a Berth node is a local agent process, not an EC2 launch",
        ["instanceName"] = "instances are named by their ids",
        ["instancesDistribution"] = "use managedNodeGroups with instanceTypes and spot: true",
        ["bottlerocket"] = "a Berth node runs no machine image to configure",
        ["gitops"] = "Berth installs no Flux; apply its manifests with kubectl",
        ["logRetentionInDays"] = "Berth has no CloudWatch Logs; enableTypes alone is recorded",
        ["wellKnownPolicies"] = "name the policies in attachPolicyARNs or attachPolicy",
        ["permissionsBoundary"] = "Berth's IAM has no permissions boundaries",
        ["serviceRolePermissionsBoundary"] = "Berth's IAM has no permissions boundaries",
        ["fargatePodExecutionRolePermissionsBoundary"] = "Berth's IAM has no permissions boundaries",
        ["instanceRolePermissionsBoundary"] = "Berth's IAM has no permissions boundaries",
        ["disableIMDSv1"] = "Berth nodes have no instance metadata service",
        ["asgMetricsCollection"] = "Berth has no CloudWatch metrics",
        ["classicLoadBalancerNames"] = "Berth has no Elastic Load Balancing; use Services of type LoadBalancer",
        ["targetGroupARNs"] = "Berth has no Elastic Load Balancing; use Services of type LoadBalancer",
        ["iamIdentityMappings"] = "use EKS access entries (aws eks create-access-entry)",
        ["identityProviders"] = "Berth's clusters authenticate AWS identities and service accounts only",
        ["karpenter"] = "scale node groups through their Auto Scaling groups",
    };
}
