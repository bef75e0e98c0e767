using System.Text.Json.Nodes;

namespace Berth.Client.Config;

/// <summary>
/// What an eksctl ClusterConfig (<c>eksctl.io/v1alpha5</c>) asks for, as far as Berth serves it. Flags of
/// <c>berth create cluster</c> build the same, so one plan makes clusters from either.
/// </summary>
public sealed record ClusterConfig
{
    public required string Name { get; init; }

    public string? Region { get; init; }

    public string? Version { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> AvailabilityZones { get; init; } = [];

    public IReadOnlyList<NodeGroupConfig> NodeGroups { get; init; } = [];

    public IReadOnlyList<FargateProfileConfig> FargateProfiles { get; init; } = [];

    public bool WithOidc { get; init; }

    public IReadOnlyList<ServiceAccountConfig> ServiceAccounts { get; init; } = [];

    public IReadOnlyList<AddonConfig> Addons { get; init; } = [];

    /// <summary>The cluster's service role; null lets berth make one, as eksctl does.</summary>
    public string? ServiceRoleArn { get; init; }

    public string? FargatePodExecutionRoleArn { get; init; }

    /// <summary>EKS's <c>resourcesVpcConfig</c>: the subnets and endpoint access the file's <c>vpc</c> names.</summary>
    public JsonObject ResourcesVpcConfig { get; init; } = [];

    /// <summary>EKS's <c>kubernetesNetworkConfig</c>, when the file sets one.</summary>
    public JsonObject? KubernetesNetworkConfig { get; init; }

    /// <summary>The control-plane log types to enable (<c>cloudWatch.clusterLogging.enableTypes</c>).</summary>
    public IReadOnlyList<string> LogTypes { get; init; } = [];

    /// <summary>The KMS key of <c>secretsEncryption</c>, recorded as EKS's encryption config.</summary>
    public string? SecretsKeyArn { get; init; }
}

/// <summary>A node group of either list (<c>nodeGroups</c> or <c>managedNodeGroups</c>); both become EKS managed node groups.</summary>
public sealed record NodeGroupConfig
{
    public required string Name { get; init; }

    public bool Managed { get; init; } = true;

    public IReadOnlyList<string> InstanceTypes { get; init; } = [NodeGroupDefaults.InstanceType];

    public int DesiredCapacity { get; init; } = NodeGroupDefaults.Nodes;

    public int MinSize { get; init; } = NodeGroupDefaults.Nodes;

    public int MaxSize { get; init; } = NodeGroupDefaults.Nodes;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints in EKS's form: key, value, and an effect of NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE.</summary>
    public IReadOnlyList<(string Key, string? Value, string Effect)> Taints { get; init; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public bool Spot { get; init; }

    /// <summary><c>iam.withAddonPolicies.autoScaler</c>: the node role may scale the group, as the cluster autoscaler needs.</summary>
    public bool AutoScalerPolicy { get; init; }

    public string? InstanceRoleArn { get; init; }

    public int? VolumeSize { get; init; }

    public string? AmiType { get; init; }

    public IReadOnlyList<string> Subnets { get; init; } = [];

    public JsonObject? UpdateConfig { get; init; }
}

public static class NodeGroupDefaults
{
    /// <summary>eksctl's default node type and count.</summary>
    public const string InstanceType = "m5.large";

    public const int Nodes = 2;
}

public sealed record FargateSelector(string Namespace, IReadOnlyDictionary<string, string> Labels);

public sealed record FargateProfileConfig(string Name, IReadOnlyList<FargateSelector> Selectors, IReadOnlyDictionary<string, string> Tags, string? PodExecutionRoleArn = null);

/// <summary>An IAM role for a Kubernetes service account (IRSA), with the policies it is given.</summary>
public sealed record ServiceAccountConfig
{
    public required string Name { get; init; }

    public string Namespace { get; init; } = "default";

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> AttachPolicyArns { get; init; } = [];

    /// <summary>An inline policy document, as JSON.</summary>
    public string? AttachPolicy { get; init; }

    /// <summary>An existing role to annotate the service account with; no role is made.</summary>
    public string? AttachRoleArn { get; init; }

    public string? RoleName { get; init; }

    /// <summary>Make the role only, leaving the service account to the user.</summary>
    public bool RoleOnly { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

public sealed record AddonConfig(string Name, string? Version, IReadOnlyDictionary<string, string> Tags, string? ConfigurationValues, string? ResolveConflicts);
