using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Aws.Auth;

/// <summary>
/// The computations of AWS Signature Version 4 (<c>AWS4-HMAC-SHA256</c>): the canonical request, the string to sign,
/// the signing key and the signature. Both sides compute the same; the verifier compares.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>The hex SHA-256 of no bytes: the payload hash of a request without a body.</summary>
    public static readonly string EmptyPayloadHash = Hex(SHA256.HashData([]));

    /// <summary>
    /// The canonical request over <paramref name="signedHeaders"/> (lower-case, sorted, as the client listed them).
    /// Presigned requests leave their own <c>X-Amz-Signature</c> out of the query.
    /// </summary>
    public static string CanonicalRequest(SignedRequest request, IReadOnlyList<string> signedHeaders)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(CanonicalPath(request.RawPath)).Append('\n');
        builder.Append(CanonicalQuery(request.RawQuery)).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(request, name)).Append('\n');
        }
        builder.Append('\n');
        builder.AppendJoin(';', signedHeaders).Append('\n');
        builder.Append(request.PayloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary><c>HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")</c>.</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string Signature(byte[] signingKey, string stringToSign) =>
        Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    public static bool TryParseDate(string? text, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);

    public static string FormatDate(DateTimeOffset date) => date.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Every path segment encoded once more over the wire form, as services other than S3 sign it (a space sent as
    /// <c>%20</c> is signed as <c>%2520</c>); an empty path is <c>/</c>.
    /// </summary>
    private static string CanonicalPath(string rawPath) => rawPath.Length == 0 ? "/" : Encode(rawPath, keepSlash: true);

    /// <summary>Parameters decoded from the wire, encoded the AWS way, sorted by name then value; the signature left out.</summary>
    private static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return "";
        }
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? part : part[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..]);
            if (name != "X-Amz-Signature")
            {
                pairs.Add((Encode(name, keepSlash: false), Encode(value, keepSlash: false)));
            }
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name) is var byName and not 0 ? byName : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', pairs.Select(p => $"{p.Name}={p.Value}"));
    }

    /// <summary>The values trimmed, inner runs of spaces made one, several values joined by commas.</summary>
    private static string CanonicalHeaderValue(SignedRequest request, string name)
    {
        var values = request.Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).SelectMany(h => h.Value);
        return string.Join(',', values.Select(v => string.Join(' ', v.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))));
    }

    /// <summary>RFC 3986 percent-encoding of everything but the unreserved characters, upper-case hex.</summary>
    private static string Encode(string text, bool keepSlash)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    internal static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
