using System.Text.Json.Serialization;

namespace Berth.Aws.Ecr;

/// <summary>An ECR repository as the store holds it, under <c>/aws/ecr/&lt;account&gt;/&lt;region&gt;/repositories/&lt;name&gt;</c>.</summary>
public sealed record Repository
{
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>MUTABLE</c> or <c>IMMUTABLE</c>.</summary>
    public string ImageTagMutability { get; init; } = "MUTABLE";

    public bool ScanOnPush { get; init; }

    /// <summary><c>AES256</c> or <c>KMS</c>; recorded, as the blobs on disk are Berth's to keep.</summary>
    public string EncryptionType { get; init; } = "AES256";

    public string? KmsKey { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The lifecycle policy's JSON as it was put, or null when the repository has none.</summary>
    public string? LifecyclePolicyText { get; init; }

    /// <summary>When the lifecycle policy was last applied.</summary>
    public DateTimeOffset? LifecyclePolicyEvaluatedAt { get; init; }

    /// <summary>The repository policy's JSON as it was set, or null when the repository has none.</summary>
    public string? RepositoryPolicyText { get; init; }

    [JsonIgnore]
    public string Arn => $"arn:aws:ecr:{Region}:{AccountId}:repository/{Name}";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Repository))]
internal sealed partial class EcrJson : JsonSerializerContext;
