using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Berth.Aws.Eks;

/// <summary>
/// A managed node group as the store holds it, under <c>/aws/eks/nodegroups/&lt;account&gt;/&lt;region&gt;/&lt;cluster&gt;/&lt;name&gt;</c>.
/// Its nodes are the instances of the Auto Scaling group it owns (<see cref="AutoScalingGroupName"/>).
/// </summary>
public sealed record Nodegroup
{
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string ClusterName { get; init; }

    public required string Name { get; init; }

    /// <summary>Part of the ARN and of the Auto Scaling group's name, as EKS makes them unique.</summary>
    public required string Uid { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ModifiedAt { get; init; }

    /// <summary>CREATING, ACTIVE, UPDATING, DELETING, CREATE_FAILED, DELETE_FAILED or DEGRADED.</summary>
    public required string Status { get; init; }

    public required string Version { get; init; }

    public required string NodeRole { get; init; }

    public required int MinSize { get; init; }

    public required int MaxSize { get; init; }

    public required int DesiredSize { get; init; }

    public required IReadOnlyList<string> InstanceTypes { get; init; }

    /// <summary>ON_DEMAND or SPOT.</summary>
    public string CapacityType { get; init; } = "ON_DEMAND";

    public string AmiType { get; init; } = "AL2023_x86_64_STANDARD";

    public int DiskSize { get; init; } = 20;

    public IReadOnlyList<string> Subnets { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints as EKS writes them: <c>key</c>, <c>value</c>, <c>effect</c> (NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE).</summary>
    public IReadOnlyList<NodegroupTaint> Taints { get; init; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public JsonObject UpdateConfig { get; init; } = new() { ["maxUnavailable"] = 1 };

    /// <summary>What went wrong, as the health issues DescribeNodegroup shows; empty when healthy.</summary>
    public IReadOnlyList<NodegroupIssue> Issues { get; init; } = [];

    public string? ClientRequestToken { get; init; }

    [JsonIgnore]
    public string Arn => $"arn:aws:eks:{Region}:{AccountId}:nodegroup/{ClusterName}/{Name}/{Uid}";

    /// <summary>The owned Auto Scaling group, named as EKS names it.</summary>
    [JsonIgnore]
    public string AutoScalingGroupName => $"eks-{Name}-{Uid}";
}

public sealed record NodegroupTaint(string Key, string? Value, string Effect)
{
    /// <summary>The Kubernetes effect of EKS's name for it.</summary>
    [JsonIgnore]
    public string KubernetesEffect => Effect switch
    {
        "NO_EXECUTE" => "NoExecute",
        "PREFER_NO_SCHEDULE" => "PreferNoSchedule",
        _ => "NoSchedule",
    };
}

public sealed record NodegroupIssue(string Code, string Message, IReadOnlyList<string> ResourceIds);

/// <summary>A Fargate profile, under <c>/aws/eks/fargate-profiles/&lt;account&gt;/&lt;region&gt;/&lt;cluster&gt;/&lt;name&gt;</c>.</summary>
public sealed record FargateProfile
{
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string ClusterName { get; init; }

    public required string Name { get; init; }

    public required string Uid { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>CREATING, ACTIVE, DELETING, CREATE_FAILED or DELETE_FAILED.</summary>
    public required string Status { get; init; }

    public required string PodExecutionRoleArn { get; init; }

    public required IReadOnlyList<FargateSelector> Selectors { get; init; }

    public IReadOnlyList<string> Subnets { get; init; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    [JsonIgnore]
    public string Arn => $"arn:aws:eks:{Region}:{AccountId}:fargateprofile/{ClusterName}/{Name}/{Uid}";
}

public sealed record FargateSelector(string Namespace, IReadOnlyDictionary<string, string> Labels);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Nodegroup))]
[JsonSerializable(typeof(FargateProfile))]
internal sealed partial class EksNodeJson : JsonSerializerContext;
