using System.Text.Json.Nodes;

namespace Berth.Client.Clusters;

/// <summary>
/// The IAM roles eksctl makes for a cluster (its service role, each node group's instance role, the Fargate pod
/// execution role, a role per IAM service account), named and tagged as eksctl names and tags them: the tag
/// <c>alpha.eksctl.io/cluster-name</c> is how <c>berth delete cluster</c> finds every one it made, and only those.
/// </summary>
public static class ClusterRoles
{
    public const string ClusterTag = "alpha.eksctl.io/cluster-name";
    public const string ServiceAccountTag = "alpha.eksctl.io/iamserviceaccount-name";

    public static string ServiceRole(string cluster) => Name(cluster, "cluster-ServiceRole");

    public static string NodeRole(string cluster, string nodegroup) => Name(cluster, $"nodegroup-{nodegroup}-NodeInstanceRole");

    public static string FargateRole(string cluster) => Name(cluster, "fargate-FargatePodExecutionRole");

    public static string ServiceAccountRole(string cluster, string ns, string name) => Name(cluster, $"addon-iamserviceaccount-{ns}-{name}");

    public static Dictionary<string, string> Tags(string cluster) => new(StringComparer.Ordinal) { [ClusterTag] = cluster };

    /// <summary>A trust policy letting an AWS service assume the role.</summary>
    public static string TrustingService(string service) => new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(new JsonObject
        {
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["Service"] = service },
            ["Action"] = "sts:AssumeRole",
        }),
    }.ToJsonString();

    /// <summary>A trust policy letting one service account of the cluster assume the role with its projected token (IRSA).</summary>
    public static string TrustingServiceAccount(string providerArn, string issuerHostPath, string ns, string name) => new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(new JsonObject
        {
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["Federated"] = providerArn },
            ["Action"] = "sts:AssumeRoleWithWebIdentity",
            ["Condition"] = new JsonObject
            {
                ["StringEquals"] = new JsonObject
                {
                    [$"{issuerHostPath}:sub"] = $"system:serviceaccount:{ns}:{name}",
                    [$"{issuerHostPath}:aud"] = "sts.amazonaws.com",
                },
            },
        }),
    }.ToJsonString();

    /// <summary>What the cluster autoscaler needs of a node group's Auto Scaling group (eksctl's <c>autoScaler</c> add-on policy).</summary>
    public static readonly string AutoScalerPolicy = new JsonObject
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray(new JsonObject
        {
            ["Effect"] = "Allow",
            ["Action"] = new JsonArray("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeTags", "autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup", "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions"),
            ["Resource"] = "*",
        }),
    }.ToJsonString();

    /// <summary>IAM names are at most 64 characters; a longer one keeps its start and a hash of the whole.</summary>
    private static string Name(string cluster, string suffix)
    {
        var name = $"eksctl-{cluster}-{suffix}";
        if (name.Length <= 64)
        {
            return name;
        }
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..8];
        return $"{name[..55]}-{hash}";
    }
}
