using System.Buffers.Text;
using System.Text;
using Berth.Aws.Auth;

namespace Berth.Client.Aws;

/// <summary>
/// The bearer token <c>aws eks get-token</c> makes: <c>k8s-aws-v1.</c> and, base64url, an STS <c>GetCallerIdentity</c>
/// URL presigned for 60 seconds with the header <c>x-k8s-aws-id</c> naming the cluster. Nothing is sent to STS; the
/// cluster's API checks the signature.
/// </summary>
public static class EksToken
{
    public static string Create(AwsSettings settings, string cluster, DateTimeOffset now)
    {
        var date = SigV4.FormatDate(now);
        var host = $"sts.{settings.Region}.amazonaws.com";
        var scope = $"{date[..8]}/{settings.Region}/sts/aws4_request";
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Action"] = "GetCallerIdentity",
            ["Version"] = "2011-06-15",
            ["X-Amz-Algorithm"] = SigV4.Algorithm,
            ["X-Amz-Credential"] = $"{settings.Credentials.AccessKeyId}/{scope}",
            ["X-Amz-Date"] = date,
            ["X-Amz-Expires"] = "60",
            ["X-Amz-SignedHeaders"] = "host;x-k8s-aws-id",
        };
        if (settings.Credentials.SessionToken is { } sessionToken)
        {
            query["X-Amz-Security-Token"] = sessionToken;
        }
        var rawQuery = string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var canonical = SigV4.CanonicalRequest(new SignedRequest
        {
            Method = "GET",
            RawPath = "/",
            RawQuery = rawQuery,
            Headers = [new("host", [host]), new("x-k8s-aws-id", [cluster])],
            PayloadHash = SigV4.EmptyPayloadHash,
        }, ["host", "x-k8s-aws-id"]);
        var signature = SigV4.Signature(SigV4.SigningKey(settings.Credentials.SecretAccessKey, date[..8], settings.Region, "sts"),
            SigV4.StringToSign(date, scope, canonical));
        var url = $"https://{host}/?{rawQuery}&X-Amz-Signature={signature}";
        return "k8s-aws-v1." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(url));
    }
}
