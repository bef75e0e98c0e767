using System.Security.Cryptography;
using System.Text;

namespace Berth.Aws.Auth;

/// <summary>Why a request's signature was not accepted; each protocol names these in its own error codes.</summary>
public enum SigV4Failure
{
    /// <summary>Neither an <c>Authorization</c> header nor a presigned query.</summary>
    Missing,

    /// <summary>An authorization that lacks a part, or has one that does not parse.</summary>
    Incomplete,

    /// <summary>The access key is not one of this installation's.</summary>
    UnknownAccessKey,

    /// <summary>The signature, or the scope it was made for, is not what the request and the key give.</summary>
    Mismatch,

    /// <summary>Signed too long ago or too far ahead (15 minutes either way), or past a presigned URL's expiry.</summary>
    Expired,
}

/// <summary>Who signed a request, and for which region and service.</summary>
public sealed record SigV4Identity(string AccessKeyId, string Region, string Service, DateTimeOffset SignedAt);

/// <summary>The outcome of checking a request: an identity, or a failure with the message AWS gives for it.</summary>
public sealed record SigV4Result(SigV4Identity? Identity, SigV4Failure? Failure, string Message)
{
    public static SigV4Result Accepted(SigV4Identity identity) => new(identity, null, "");

    public static SigV4Result Refused(SigV4Failure failure, string message) => new(null, failure, message);
}

/// <summary>
/// Checks Signature Version 4 on a request, signed in its <c>Authorization</c> header or presigned in its query,
/// against the secret of the access key it names.
/// </summary>
/// <param name="secretOf">The secret of an access key id, or null when there is no such key.</param>
/// <param name="time">The clock.</param>
/// <param name="presignedLifetime">
/// When given, how long a presigned request is good for from its date, whatever its <c>X-Amz-Expires</c>: EKS's
/// authenticator takes the 60-second URLs of <c>aws eks get-token</c> for 15 minutes, as kubectl reuses them.
/// </param>
public sealed class SigV4Verifier(Func<string, CancellationToken, ValueTask<string?>> secretOf, TimeProvider time, TimeSpan? presignedLifetime = null)
{
    /// <summary>How far a header-signed request's time may be from the server's, either way (AWS allows 15 minutes).</summary>
    public static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    /// <summary>The longest a presigned URL may live: seven days.</summary>
    public const int MaxPresignedSeconds = 604_800;

    private static readonly string[] s_headerParts = ["Credential", "SignedHeaders", "Signature"];
    private static readonly string[] s_queryParts = ["X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"];

    private const string MismatchMessage = "The request signature we calculated does not match the signature you provided. "
        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    public async Task<SigV4Result> VerifyAsync(SignedRequest request, CancellationToken cancellationToken)
    {
        var query = Query(request.RawQuery);
        if (query.ContainsKey("X-Amz-Algorithm"))
        {
            return await VerifyPresignedAsync(request, query, cancellationToken);
        }
        return request.Header("Authorization") is { } authorization
            ? await VerifyHeaderAsync(request, authorization, cancellationToken)
            : SigV4Result.Refused(SigV4Failure.Missing, "Missing Authentication Token");
    }

    private Task<SigV4Result> VerifyHeaderAsync(SignedRequest request, string authorization, CancellationToken cancellationToken)
    {
        if (!authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
        {
            return Task.FromResult(SigV4Result.Refused(SigV4Failure.Incomplete, $"Unsupported AWS 'algorithm': '{authorization.Split(' ')[0]}'"));
        }
        var parts = authorization[(SigV4.Algorithm.Length + 1)..]
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        var missing = s_headerParts.Where(k => !parts.ContainsKey(k)).ToList();
        var amzDate = request.Header("X-Amz-Date");
        if (missing.Count > 0 || amzDate is null)
        {
            var complaints = missing.Select(k => $"Authorization header requires '{k}' parameter.");
            if (amzDate is null)
            {
                complaints = complaints.Append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            }
            return Task.FromResult(SigV4Result.Refused(SigV4Failure.Incomplete, $"{string.Join(' ', complaints)} Authorization={authorization.Split(' ')[0]}"));
        }
        return CheckAsync(request, parts["Credential"], parts["SignedHeaders"], parts["Signature"], amzDate, expiresSeconds: null, cancellationToken);
    }

    private Task<SigV4Result> VerifyPresignedAsync(SignedRequest request, Dictionary<string, string> query, CancellationToken cancellationToken)
    {
        if (query["X-Amz-Algorithm"] != SigV4.Algorithm)
        {
            return Task.FromResult(SigV4Result.Refused(SigV4Failure.Incomplete, $"Unsupported AWS 'algorithm': '{query["X-Amz-Algorithm"]}'"));
        }
        var missing = s_queryParts.Where(k => !query.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            return Task.FromResult(SigV4Result.Refused(SigV4Failure.Incomplete, string.Join(' ', missing.Select(k => $"AWS query-string parameters must include '{k}'.")) + " Re-examine the query-string parameters."));
        }
        int? expires = null;
        if (query.TryGetValue("X-Amz-Expires", out var expiresText))
        {
            if (!int.TryParse(expiresText, out var seconds) || seconds < 0 || seconds > MaxPresignedSeconds)
            {
                return Task.FromResult(SigV4Result.Refused(SigV4Failure.Incomplete, $"X-Amz-Expires must be an integer from 0 to {MaxPresignedSeconds}, not '{expiresText}'"));
            }
            expires = seconds;
        }
        if (presignedLifetime is { } fixedLifetime)
        {
            expires = (int)fixedLifetime.TotalSeconds;
        }
        return CheckAsync(request, query["X-Amz-Credential"], query["X-Amz-SignedHeaders"], query["X-Amz-Signature"], query["X-Amz-Date"], expires, cancellationToken);
    }

    private async Task<SigV4Result> CheckAsync(SignedRequest request, string credential, string signedHeaderList, string signature, string amzDate, int? expiresSeconds,
        CancellationToken cancellationToken)
    {
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope.Take(4).Any(string.IsNullOrEmpty))
        {
            return SigV4Result.Refused(SigV4Failure.Incomplete,
                $"Credential should be scoped to a valid region, service and 'aws4_request' as <key>/<date>/<region>/<service>/aws4_request, not '{credential}'.");
        }
        var (accessKey, scopeDate, region, service) = (scope[0], scope[1], scope[2], scope[3]);
        if (!SigV4.TryParseDate(amzDate, out var signedAt))
        {
            return SigV4Result.Refused(SigV4Failure.Incomplete, $"X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z', not '{amzDate}'.");
        }
        var signedHeaders = signedHeaderList.Split(';');
        if (!signedHeaders.Contains("host"))
        {
            return SigV4Result.Refused(SigV4Failure.Incomplete, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }
        var now = time.GetUtcNow();
        if (expiresSeconds is { } lifetime)
        {
            if (now > signedAt.AddSeconds(lifetime) || signedAt > now + AllowedSkew)
            {
                return SigV4Result.Refused(SigV4Failure.Expired, "Request has expired.");
            }
        }
        else if (signedAt < now - AllowedSkew)
        {
            return SigV4Result.Refused(SigV4Failure.Expired,
                $"Signature expired: {amzDate} is now earlier than {SigV4.FormatDate(now - AllowedSkew)} ({SigV4.FormatDate(now)} - 15 min.)");
        }
        else if (signedAt > now + AllowedSkew)
        {
            return SigV4Result.Refused(SigV4Failure.Expired,
                $"Signature not yet current: {amzDate} is still later than {SigV4.FormatDate(now + AllowedSkew)} ({SigV4.FormatDate(now)} + 15 min.)");
        }
        if (scopeDate != amzDate[..8])
        {
            return SigV4Result.Refused(SigV4Failure.Mismatch,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{amzDate[..8]}', from '{amzDate}'.");
        }
        if (await secretOf(accessKey, cancellationToken) is not { } secret)
        {
            return SigV4Result.Refused(SigV4Failure.UnknownAccessKey, "The security token included in the request is invalid.");
        }
        var canonical = SigV4.CanonicalRequest(request, signedHeaders);
        var expected = SigV4.Signature(SigV4.SigningKey(secret, scopeDate, region, service), SigV4.StringToSign(amzDate, string.Join('/', scope.Skip(1)), canonical));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? SigV4Result.Accepted(new SigV4Identity(accessKey, region, service, signedAt))
            : SigV4Result.Refused(SigV4Failure.Mismatch, MismatchMessage);
    }

    /// <summary>
    /// The service a request is signed for, read from its credential scope without checking anything, so that a
    /// refusal can be written in that service's protocol; null when the request carries no scope.
    /// </summary>
    public static string? ServiceOf(SignedRequest request)
    {
        var credential = Query(request.RawQuery).GetValueOrDefault("X-Amz-Credential");
        if (credential is null && request.Header("Authorization") is { } authorization)
        {
            var start = authorization.IndexOf("Credential=", StringComparison.Ordinal);
            credential = start < 0 ? null : authorization[(start + "Credential=".Length)..].Split(',')[0].Trim();
        }
        return credential?.Split('/') is [_, _, _, var service, _] ? service : null;
    }

    private static Dictionary<string, string> Query(string rawQuery)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? part : part[..equals]);
            parameters.TryAdd(name, equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..]));
        }
        return parameters;
    }
}
