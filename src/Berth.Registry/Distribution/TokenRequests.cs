using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Distribution;

/// <summary>
/// The distribution token flow's endpoint, <c>/v2/token</c>: a client that met the Bearer challenge asks here, with its
/// Basic login, for a token, and sends it as <c>Authorization: Bearer</c> from then on. The token is the login's own
/// password, which is signed and expires by itself; what a request may do is decided per request, so the
/// <c>scope</c> asked for is not needed to grant it.
/// </summary>
internal sealed class TokenRequests(TimeProvider time)
{
    public const string Path = "/v2/token";
    public const string Service = "berth-registry";

    /// <summary>The registry's one user name, whose password a bearer token is.</summary>
    public const string User = "AWS";

    /// <summary>How long a token is said to last: the distribution spec's minimum; the password itself lasts longer.</summary>
    private const int ExpiresInSeconds = 60;

    public Task IssueAsync(HttpContext context, string token) =>
        context.Response.WriteAsJsonAsync(new TokenAnswer(token, token, ExpiresInSeconds, time.GetUtcNow().ToString("O")),
            DistributionJson.Default.TokenAnswer, cancellationToken: context.RequestAborted);
}

internal sealed record TokenAnswer(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("issued_at")] string IssuedAt);
