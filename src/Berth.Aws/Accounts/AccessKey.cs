using System.Text.Json.Serialization;

namespace Berth.Aws.Accounts;

/// <summary>An access key as the store holds it, under <c>/aws/iam/access-keys/&lt;id&gt;</c> (sealed at rest).</summary>
public sealed record AccessKey
{
    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    public required string AccountId { get; init; }

    /// <summary>The IAM user the key belongs to; null for the account's root user and for role sessions.</summary>
    public string? UserName { get; init; }

    public required DateTimeOffset CreateDate { get; init; }

    /// <summary>For temporary credentials (a role session): the token every request must carry beside the key.</summary>
    public string? SessionToken { get; init; }

    /// <summary>For temporary credentials: when they stop working.</summary>
    public DateTimeOffset? Expiration { get; init; }

    /// <summary>For a role session: the role, its id, and the session's name.</summary>
    public string? RoleName { get; init; }

    public string? RoleId { get; init; }

    public string? SessionName { get; init; }

    /// <summary>The principal's ARN, as <c>sts get-caller-identity</c> prints it.</summary>
    [JsonIgnore]
    public string Arn => RoleName is not null ? $"arn:aws:sts::{AccountId}:assumed-role/{RoleName}/{SessionName}"
        : UserName is null ? $"arn:aws:iam::{AccountId}:root"
        : $"arn:aws:iam::{AccountId}:user/{UserName}";

    /// <summary>The IAM principal behind the key: the role's own ARN for a role session, else <see cref="Arn"/>.</summary>
    [JsonIgnore]
    public string PrincipalArn => RoleName is not null ? $"arn:aws:iam::{AccountId}:role/{RoleName}" : Arn;

    /// <summary>The principal's id, as <c>sts get-caller-identity</c> prints it: the account (root), the key (user), role id and session.</summary>
    [JsonIgnore]
    public string UserId => RoleId is not null ? $"{RoleId}:{SessionName}" : UserName is null ? AccountId : AccessKeyId;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccessKey))]
internal sealed partial class AccountsJson : JsonSerializerContext;
