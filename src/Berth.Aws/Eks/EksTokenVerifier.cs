using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Berth.Aws.Accounts;
using Berth.Aws.Auth;
using Berth.Kube.Authentication;

namespace Berth.Aws.Eks;

/// <summary>
/// The bearer tokens of <c>aws eks get-token</c>, as EKS's aws-iam-authenticator reads them: <c>k8s-aws-v1.</c> and a
/// base64url STS <c>GetCallerIdentity</c> URL, presigned with the header <c>x-k8s-aws-id</c> naming the cluster. The
/// signature is checked here against the key it names (nothing is sent to STS), bound to the cluster by that header,
/// and good for 15 minutes from its date.
/// </summary>
public sealed partial class EksTokenVerifier(AccessKeys keys, TimeProvider time) : IExternalTokenVerifier
{
    public const string Prefix = "k8s-aws-v1.";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public async Task<AwsIdentity?> VerifyAsync(string cluster, string token, CancellationToken cancellationToken)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || !Base64Url.IsValid(token.AsSpan(Prefix.Length))
            || !Uri.TryCreate(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length))), UriKind.Absolute, out var url)
            || !IsStsHost(url) || url.AbsolutePath != "/")
        {
            return null;
        }
        var rawQuery = url.Query.TrimStart('?');
        var query = rawQuery.Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
        if (query.GetValueOrDefault("Action") != "GetCallerIdentity" || query.GetValueOrDefault("Version") != "2011-06-15"
            || query.GetValueOrDefault("X-Amz-SignedHeaders")?.Split(';').Contains("x-k8s-aws-id") != true)
        {
            return null;
        }
        var request = new SignedRequest
        {
            Method = "GET",
            RawPath = "/",
            RawQuery = rawQuery,
            Headers = [new("host", [url.IsDefaultPort ? url.Host : url.Authority]), new("x-k8s-aws-id", [cluster])],
            PayloadHash = SigV4.EmptyPayloadHash,
        };
        AccessKey? caller = null;
        var verified = await new SigV4Verifier(async (id, ct) => (caller = await keys.FindAsync(id, ct))?.SecretAccessKey, time, Lifetime)
            .VerifyAsync(request, cancellationToken);
        if (verified.Failure is not null || verified.Identity!.Service != "sts" || caller is null)
        {
            return null;
        }
        if (caller.SessionToken is { } sessionToken && (query.GetValueOrDefault("X-Amz-Security-Token") != sessionToken || caller.Expiration <= time.GetUtcNow()))
        {
            return null;
        }
        return new AwsIdentity(caller.AccountId, caller.Arn, caller.PrincipalArn, caller.SessionName);
    }

    /// <summary>STS's hosts (global and regional) over HTTPS, or this machine's loopback, where Berth's endpoint is.</summary>
    private static bool IsStsHost(Uri url) =>
        (url.Scheme == Uri.UriSchemeHttps && StsHostRegex().IsMatch(url.Host))
        || (url.Scheme is "http" or "https" && (url.IsLoopback || (IPAddress.TryParse(url.Host, out var address) && IPAddress.IsLoopback(address))));

    [GeneratedRegex(@"^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$", RegexOptions.CultureInvariant)]
    private static partial Regex StsHostRegex();
}
