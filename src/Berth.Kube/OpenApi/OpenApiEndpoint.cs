using Berth.Kube.Api;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.OpenApi;

/// <summary>
/// Serves <c>/openapi/v3</c> and its group/version documents with kube-apiserver's caching rules: each document
/// is named by the uppercase hex SHA-512 of its bytes, which is also its ETag; a URL with the current hash may be
/// cached for good, and one with an old hash is redirected to the current one. Serves <c>/openapi/v2</c> as JSON,
/// with the same ETag rule; its protobuf form (gnostic's <c>OpenAPIv2</c> message) is not written.
/// </summary>
internal sealed class OpenApiEndpoint(OpenApiV3Documents v3, OpenApiV2Document v2)
{
    private const string V2 = "/openapi/v2";
    private const string V3 = "/openapi/v3";

    /// <summary>Answers <paramref name="path"/> (relative to the cluster's base) if it is an OpenAPI path.</summary>
    public async Task<bool> TryServeAsync(HttpContext context, string path)
    {
        if (path.TrimEnd('/') == V2)
        {
            await ServeV2Async(context);
            return true;
        }
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
        var asked = context.Request.Query["hash"];
        if (asked.Count > 0 && asked[0] != document.Hash)
        {
            context.Response.StatusCode = 301;
            context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path}?hash={document.Hash}";
            return true;
        }
        context.Response.Headers.CacheControl = asked.Count > 0 ? "public, immutable" : "no-cache, private";
        await WriteDocumentAsync(context, document);
        return true;
    }

    /// <summary>
    /// The v2 document, if the client takes JSON. As kube-openapi does, an empty <c>Accept</c> means any type, and
    /// one that admits none the server writes is answered 406 without a body: here, a client asking only for the
    /// protobuf form (<c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c>).
    /// </summary>
    private async Task ServeV2Async(HttpContext context)
    {
        context.Response.Headers.Vary = "Accept";
        var accepted = MediaRange.Accepted(context.Request);
        if (accepted.Count > 0 && !accepted.Any(r => r.Admits("application", "json")))
        {
            context.Response.StatusCode = 406;
            return;
        }
        context.Response.Headers.CacheControl = "no-cache, private";
        await WriteDocumentAsync(context, v2.Current);
    }

    /// <summary>The document with its hash as ETag; 304 Not Modified when the client already holds it.</summary>
    private static async Task WriteDocumentAsync(HttpContext context, PublishedDocument document)
    {
        if (EntityTags.SetAndMatch(context, document.Hash))
        {
            context.Response.StatusCode = 304;
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(document.Json, context.RequestAborted);
    }
}
