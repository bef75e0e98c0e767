using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Aws.Accounts;

namespace Berth.Aws.Ecr;

/// <summary>
/// ECR authorization tokens: the password of <c>AWS:&lt;password&gt;</c> that <c>get-login-password</c> prints and the
/// registry accepts. A password names the access key it was issued to, the region it was asked in (ECR has a registry
/// per account and region, so the password reaches that region's repositories) and when it expires, and is signed
/// with that key's secret: nothing is stored, and deleting the key revokes every password issued to it.
/// </summary>
public sealed class AuthorizationTokens(AccessKeys keys, TimeProvider time)
{
    /// <summary>How long a token is good for: 12 hours, as ECR's.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>A password for <paramref name="caller"/> to the registry of <paramref name="region"/>, and when it expires.</summary>
    public (string Password, DateTimeOffset ExpiresAt) Issue(AccessKey caller, string region)
    {
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((time.GetUtcNow() + Lifetime).ToUnixTimeSeconds());
        if (caller.Expiration < expiresAt)
        {
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(caller.Expiration.Value.ToUnixTimeSeconds()); // a session's password ends with the session
        }
        var claims = new TokenClaims(caller.AccessKeyId, caller.AccountId, region, expiresAt.ToUnixTimeSeconds());
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims, TokenJson.Default.TokenClaims));
        return ($"{payload}.{Sign(caller.SecretAccessKey, payload)}", expiresAt);
    }

    /// <summary>The access key and region a password was issued for, or null when it is malformed, forged, expired or revoked.</summary>
    public async Task<(AccessKey Key, string Region)?> ValidateAsync(string password, CancellationToken cancellationToken)
    {
        var dot = password.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !Base64Url.IsValid(password.AsSpan(0, dot)))
        {
            return null;
        }
        var payload = password[..dot];
        TokenClaims? claims;
        try
        {
            claims = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(payload), TokenJson.Default.TokenClaims);
        }
        catch (JsonException)
        {
            return null;
        }
        if (claims is null || DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt) <= time.GetUtcNow()
            || await keys.FindAsync(claims.AccessKeyId, cancellationToken) is not { } key || key.AccountId != claims.AccountId)
        {
            return null;
        }
        var expected = Encoding.ASCII.GetBytes(Sign(key.SecretAccessKey, payload));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(password[(dot + 1)..])) ? (key, claims.Region) : null;
    }

    private static string Sign(string secret, string payload) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes("berth-ecr-token:" + secret), Encoding.ASCII.GetBytes(payload)));
}

internal sealed record TokenClaims(
    [property: JsonPropertyName("k")] string AccessKeyId,
    [property: JsonPropertyName("a")] string AccountId,
    [property: JsonPropertyName("r")] string Region,
    [property: JsonPropertyName("e")] long ExpiresAt);

[JsonSerializable(typeof(TokenClaims))]
internal sealed partial class TokenJson : JsonSerializerContext;
