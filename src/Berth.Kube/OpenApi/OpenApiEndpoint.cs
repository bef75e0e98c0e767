using Berth.Kube.Api;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.OpenApi;

/// <summary>
/// Serves <c>/openapi/v3</c> and its group/version documents with kube-apiserver's caching rules: each document
/// is named by the uppercase hex SHA-512 of its bytes, which is also its ETag; a URL with the current hash may be
/// cached for good, and one with an old hash is redirected to the current one.
/// </summary>
internal sealed class OpenApiEndpoint(OpenApiV3Documents v3)
{
    private const string V3 = "/openapi/v3";

    /// <summary>Answers <paramref name="path"/> (relative to the cluster's base) if it is an OpenAPI path.</summary>
    public async Task<bool> TryServeAsync(HttpContext context, string path)
    {
        if (path.TrimEnd('/') == V3)
        {
            context.Response.Headers.CacheControl = "no-cache, private";
            await KubeResponse.WriteAsync(context, 200, v3.Root());
            return true;
        }
        if (!path.StartsWith(V3 + "/", StringComparison.Ordinal))
        {
            return false;
        }
        var document = v3.Find(path[(V3.Length + 1)..]) ?? throw KubeApiException.UnknownResource();
        var etag = $"\"{document.Hash}\"";
        var asked = context.Request.Query["hash"];
        if (asked.Count > 0 && asked[0] != document.Hash)
        {
            context.Response.StatusCode = 301;
            context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path}?hash={document.Hash}";
            return true;
        }
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = asked.Count > 0 ? "public, immutable" : "no-cache, private";
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            context.Response.StatusCode = 304;
            return true;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(document.Json, context.RequestAborted);
        return true;
    }
}
