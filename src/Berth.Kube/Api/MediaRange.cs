using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>One media range of an <c>Accept</c> header: its type, subtype and parameters (other than <c>q</c>).</summary>
internal sealed record MediaRange(string Type, string SubType, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>True when the range admits <c>type/subType</c>, directly or through a wildcard.</summary>
    public bool Admits(string type, string subType) =>
        (Type == "*" || Type == type) && (SubType == "*" || SubType == subType);

    public string? Parameter(string name) => Parameters.GetValueOrDefault(name);

    /// <summary>
    /// The ranges of the request's <c>Accept</c> headers, most preferred first, ordered as kube-apiserver orders them:
    /// higher quality first, then concrete types before wildcards, then as the client wrote them. A range with
    /// <c>q=0</c> says "not this", so it is left out. Read as leniently as Go's goautoneg reads them, since real media
    /// types such as <c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c> are not RFC tokens.
    /// </summary>
    public static IReadOnlyList<MediaRange> Accepted(HttpRequest request) =>
        [.. request.Headers.Accept.SelectMany(h => (h ?? "").Split(','))
            .Select(Parse)
            .OfType<(MediaRange Range, double Quality)>()
            .Where(r => r.Quality > 0)
            .OrderByDescending(r => r.Quality)
            .ThenBy(r => r.Range.Type == "*")
            .ThenBy(r => r.Range.SubType == "*")
            .Select(r => r.Range)];

    private static (MediaRange Range, double Quality)? Parse(string text)
    {
        var parts = text.Split(';', StringSplitOptions.TrimEntries);
        var slash = parts[0].IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == parts[0].Length - 1)
        {
            return null;
        }
        var quality = 1.0;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in parts.Skip(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (parameter, "") : (parameter[..equals].Trim(), parameter[(equals + 1)..].Trim().Trim('"'));
            if (name.Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                quality = double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) ? q : 0;
            }
            else if (name.Length > 0)
            {
                parameters[name] = value;
            }
        }
        var type = parts[0][..slash].Trim().ToLowerInvariant();
        var subType = parts[0][(slash + 1)..].Trim().ToLowerInvariant();
        return (new MediaRange(type, subType, parameters), quality);
    }
}
