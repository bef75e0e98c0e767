using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Berth.Aws.Eks;

/// <summary>
/// An EKS cluster as the store holds it, under <c>/aws/eks/&lt;account&gt;/&lt;region&gt;/clusters/&lt;name&gt;</c>. The
/// Kubernetes cluster it drives is the control plane's own record (<c>Berth.Kube.Clusters.ClusterRecord</c>) of the same
/// name; the networking and logging settings are recorded as given and described back.
/// </summary>
public sealed record EksCluster
{
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string Version { get; init; }

    public required string RoleArn { get; init; }

    /// <summary>CREATING, ACTIVE, UPDATING, DELETING or FAILED.</summary>
    public required string Status { get; init; }

    /// <summary>The IAM principal that created the cluster, its first administrator.</summary>
    public required string Creator { get; init; }

    /// <summary>The id in the cluster's OIDC issuer URL, 32 upper-case hex digits as EKS's.</summary>
    public required string OidcId { get; init; }

    public string? ClientRequestToken { get; init; }

    public JsonObject ResourcesVpcConfig { get; init; } = [];

    public JsonObject KubernetesNetworkConfig { get; init; } = [];

    public JsonObject Logging { get; init; } = [];

    public JsonArray? EncryptionConfig { get; init; }

    public JsonObject AccessConfig { get; init; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The cluster's recent updates, oldest first, as DescribeUpdate shows each.</summary>
    public JsonArray Updates { get; init; } = [];

    [JsonIgnore]
    public string Arn => $"arn:aws:eks:{Region}:{AccountId}:cluster/{Name}";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EksCluster))]
internal sealed partial class EksJson : JsonSerializerContext;
