using System.Text.Json.Serialization;

namespace Berth.Aws.Iam;

/// <summary>An IAM identity that policies are attached to: a user or a role.</summary>
public abstract record PolicyHolder
{
    public required string AccountId { get; init; }

    public required DateTimeOffset CreateDate { get; init; }

    /// <summary>The ARNs of the managed policies attached to it.</summary>
    public IReadOnlyList<string> AttachedPolicies { get; init; } = [];

    /// <summary>Its inline policies, by name.</summary>
    public IReadOnlyDictionary<string, string> InlinePolicies { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    [JsonIgnore]
    public abstract string Name { get; }

    [JsonIgnore]
    public abstract string Arn { get; }
}

/// <summary>An IAM user as the store holds it, under <c>/aws/iam/&lt;account&gt;/users/&lt;name&gt;</c>.</summary>
public sealed record IamUser : PolicyHolder
{
    public required string UserName { get; init; }

    /// <summary>The user's unique id, <c>AIDA</c> and 17 more characters, as IAM's.</summary>
    public required string UserId { get; init; }

    public override string Name => UserName;

    public override string Arn => $"arn:aws:iam::{AccountId}:user/{UserName}";
}

/// <summary>An IAM role as the store holds it, under <c>/aws/iam/&lt;account&gt;/roles/&lt;name&gt;</c>: whom it trusts, and what its sessions may do.</summary>
public sealed record IamRole : PolicyHolder
{
    public required string RoleName { get; init; }

    /// <summary>The role's unique id, <c>AROA</c> and 17 more characters.</summary>
    public required string RoleId { get; init; }

    /// <summary>The trust policy: who may assume the role.</summary>
    public required string AssumeRolePolicyDocument { get; init; }

    public string? Description { get; init; }

    /// <summary>The longest session, in seconds, that assuming the role may ask for.</summary>
    public int MaxSessionDuration { get; init; } = 3600;

    public override string Name => RoleName;

    public override string Arn => $"arn:aws:iam::{AccountId}:role/{RoleName}";
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

/// <summary>
/// An IAM OpenID Connect provider, under <c>/aws/iam/&lt;account&gt;/oidc-providers/&lt;host and path, escaped&gt;</c>: an
/// issuer whose tokens <c>AssumeRoleWithWebIdentity</c> takes (an EKS cluster's, for IAM roles for service accounts).
/// </summary>
public sealed record OidcProvider
{
    public required string AccountId { get; init; }

    /// <summary>The issuer's host and path, without <c>https://</c>, as IAM names the provider.</summary>
    public required string Url { get; init; }

    public IReadOnlyList<string> ClientIds { get; init; } = [];

    public IReadOnlyList<string> Thumbprints { get; init; } = [];

    public required DateTimeOffset CreateDate { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    [JsonIgnore]
    public string Arn => $"arn:aws:iam::{AccountId}:oidc-provider/{Url}";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OidcProvider))]
[JsonSerializable(typeof(IamUser))]
[JsonSerializable(typeof(IamRole))]
[JsonSerializable(typeof(ManagedPolicy))]
internal sealed partial class IamJson : JsonSerializerContext;
