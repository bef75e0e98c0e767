using System.Text.Json.Serialization;

namespace Berth.Aws.Iam;

/// <summary>An IAM user as the store holds it, under <c>/aws/iam/&lt;account&gt;/users/&lt;name&gt;</c>, with the policies that give it permissions.</summary>
public sealed record IamUser
{
    public required string AccountId { get; init; }

    public required string UserName { get; init; }

    /// <summary>The user's unique id, <c>AIDA</c> and 17 more characters, as IAM's.</summary>
    public required string UserId { get; init; }

    public required DateTimeOffset CreateDate { get; init; }

    /// <summary>The ARNs of the managed policies attached to the user.</summary>
    public IReadOnlyList<string> AttachedPolicies { get; init; } = [];

    /// <summary>The user's inline policies, by name.</summary>
    public IReadOnlyDictionary<string, string> InlinePolicies { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    [JsonIgnore]
    public string Arn => $"arn:aws:iam::{AccountId}:user/{UserName}";
}

/// <summary>A customer managed policy, under <c>/aws/iam/&lt;account&gt;/policies/&lt;name&gt;</c>, or one of AWS's (no account).</summary>
public sealed record ManagedPolicy
{
    /// <summary>The owning account; null for the AWS managed policies Berth knows.</summary>
    public string? AccountId { get; init; }

    public required string PolicyName { get; init; }

    public required string PolicyId { get; init; }

    public required string Document { get; init; }

    public string? Description { get; init; }

    public required DateTimeOffset CreateDate { get; init; }

    [JsonIgnore]
    public string Arn => $"arn:aws:iam::{AccountId ?? "aws"}:policy/{PolicyName}";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IamUser))]
[JsonSerializable(typeof(ManagedPolicy))]
internal sealed partial class IamJson : JsonSerializerContext;
