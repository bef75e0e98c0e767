using System.Text.Json.Serialization;

namespace Berth.Aws.Eks;

/// <summary>
/// An EKS access entry, under <c>/aws/eks/access-entries/&lt;account&gt;/&lt;region&gt;/&lt;cluster&gt;/&lt;principal ARN, escaped&gt;</c>:
/// whom an IAM principal is in the cluster, and the access policies associated with it.
/// </summary>
public sealed record AccessEntry
{
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string ClusterName { get; init; }

    public required string PrincipalArn { get; init; }

    public required string Uid { get; init; }

    public required string Username { get; init; }

    public IReadOnlyList<string> KubernetesGroups { get; init; } = [];

    /// <summary>STANDARD; the node and Fargate types are EKS's own.</summary>
    public string Type { get; init; } = "STANDARD";

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ModifiedAt { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<AssociatedAccessPolicy> Policies { get; init; } = [];

    [JsonIgnore]
    public string Arn
    {
        get
        {
            var principal = PrincipalArn.Split(':', 6)[^1].Split('/', 2); // user/ci, role/deployer
            return $"arn:aws:eks:{Region}:{AccountId}:access-entry/{ClusterName}/{principal[0]}/{AccountId}/{principal[^1]}/{Uid}";
        }
    }
}

/// <summary>An access policy associated with an entry, in the cluster (<see cref="Namespaces"/> empty) or in namespaces.</summary>
public sealed record AssociatedAccessPolicy(string PolicyArn, string ScopeType, IReadOnlyList<string> Namespaces, DateTimeOffset AssociatedAt, DateTimeOffset ModifiedAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccessEntry))]
internal sealed partial class AccessEntryJson : JsonSerializerContext;
