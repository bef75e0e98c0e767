using System.Globalization;
using System.Text;

namespace Berth.Aws.Endpoint;

/// <summary>
/// The <c>nextToken</c>s of Berth's list answers: the offset where the next page starts, opaque to clients as AWS's
/// are. Lists are read whole and in a stable order, so an offset is all a token needs.
/// </summary>
internal static class PageTokens
{
    public static string Encode(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes(offset.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The offset a token carries (0 for none); <paramref name="invalid"/> is the service's error for one it did not give.</summary>
    public static int Decode(string? token, Func<Exception> invalid)
    {
        if (token is null)
        {
            return 0;
        }
        try
        {
            return int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            throw invalid();
        }
    }

    /// <summary>One page of <paramref name="all"/> from <paramref name="start"/>, and the token of the next when more remain.</summary>
    public static (List<T> Page, string? Next) Slice<T>(IReadOnlyList<T> all, int start, int limit) =>
        ([.. all.Skip(start).Take(limit)], start + limit < all.Count ? Encode(start + limit) : null);
}
