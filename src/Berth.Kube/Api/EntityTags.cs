using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Berth.Kube.Api;

/// <summary>ETags of cacheable documents (discovery, OpenAPI) and the <c>If-None-Match</c> check that answers 304.</summary>
internal static class EntityTags
{
    /// <summary>
    /// Sets <paramref name="hash"/> (quoted) as the response's ETag; true when the request's <c>If-None-Match</c> names
    /// it, or is <c>*</c>, and so may be answered 304 Not Modified. Compared weakly, as RFC 9110 has it for this header.
    /// </summary>
    public static bool SetAndMatch(HttpContext context, string hash)
    {
        var etag = new EntityTagHeaderValue($"\"{hash}\"");
        context.Response.Headers.ETag = etag.ToString();
        var ifNoneMatch = context.Request.Headers.IfNoneMatch;
        return ifNoneMatch.Count > 0 && EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags)
            && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));
    }
}
