namespace Berth.Aws.Auth;

/// <summary>
/// A request as Signature Version 4 sees it: the method, the path and query exactly as they came on the wire
/// (percent-encoded as the client sent them), the headers, and the hex SHA-256 of the body.
/// </summary>
public sealed record SignedRequest
{
    public required string Method { get; init; }

    /// <summary>The path as sent, without the query: <c>/clusters/my%20cluster</c>.</summary>
    public required string RawPath { get; init; }

    /// <summary>The query as sent, without the leading <c>?</c>; empty when there is none.</summary>
    public string RawQuery { get; init; } = "";

    /// <summary>Header names (any case) and their values; a header sent several times has several values.</summary>
    public required IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Headers { get; init; }

    /// <summary>
    /// The hex SHA-256 of the body, or the <c>x-amz-content-sha256</c> the client declared
    /// (<c>UNSIGNED-PAYLOAD</c> among them); the caller checks a declared hash against the body it reads.
    /// </summary>
    public required string PayloadHash { get; init; }

    public string? Header(string name)
    {
        foreach (var (key, values) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return string.Join(',', values);
            }
        }
        return null;
    }
}
