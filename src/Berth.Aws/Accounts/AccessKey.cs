using System.Text.Json.Serialization;

namespace Berth.Aws.Accounts;

/// <summary>An access key as the store holds it, under <c>/aws/iam/access-keys/&lt;id&gt;</c> (sealed at rest).</summary>
public sealed record AccessKey
{
    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    public required string AccountId { get; init; }

    /// <summary>The IAM user the key belongs to; null for the account's root user.</summary>
    public string? UserName { get; init; }

    public required DateTimeOffset CreateDate { get; init; }

    /// <summary>The principal's ARN, as <c>sts get-caller-identity</c> prints it.</summary>
    [JsonIgnore]
    public string Arn => UserName is null ? $"arn:aws:iam::{AccountId}:root" : $"arn:aws:iam::{AccountId}:user/{UserName}";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AccessKey))]
internal sealed partial class AccountsJson : JsonSerializerContext;
