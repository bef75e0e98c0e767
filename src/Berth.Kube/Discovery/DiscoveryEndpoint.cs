using Berth.Kube.Api;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Discovery;

/// <summary>
/// Serves the discovery paths. <c>/api</c> and <c>/apis</c> answer with the aggregated document when the
/// <c>Accept</c> header asks for it (as client-go does, before plain JSON) and with the legacy one otherwise,
/// negotiated as kube-apiserver negotiates: the first acceptable media range, most preferred first, decides.
/// </summary>
internal sealed class DiscoveryEndpoint(DiscoveryDocuments legacy, AggregatedDiscovery aggregated)
{
    /// <summary>Answers <paramref name="path"/> (relative to the cluster's base) if it is a discovery path.</summary>
    public async Task<bool> TryServeAsync(HttpContext context, string path)
    {
        var trimmed = path.Trim('/');
        if (trimmed is "api" or "apis")
        {
            context.Response.Headers.Vary = "Accept";
            if (AggregatedVersion(MediaRange.Accepted(context.Request)) is { } version)
            {
                await ServeAggregatedAsync(context, aggregated.Document(legacy: trimmed == "api"), version);
                return true;
            }
        }
        if (legacy.Find(path, $"{context.Request.Host}") is not { } document)
        {
            return false;
        }
        await KubeResponse.WriteAsync(context, 200, document);
        return true;
    }

    /// <summary>
    /// The version of <c>APIGroupDiscoveryList</c> the client prefers, or null when its first acceptable range is
    /// plain JSON (the legacy documents). A range asking for another conversion (<c>as=Table</c>, say) or for a
    /// serialization Berth does not write (protobuf) is passed over; with none acceptable, the answer is legacy JSON.
    /// </summary>
    public static string? AggregatedVersion(IReadOnlyList<MediaRange> accepted)
    {
        foreach (var range in accepted.Where(r => r.Admits("application", "json")))
        {
            var (group, version, kind) = (range.Parameter("g"), range.Parameter("v"), range.Parameter("as"));
            if (group is null && version is null && kind is null)
            {
                return null;
            }
            if (group == AggregatedDiscovery.Group && kind == AggregatedDiscovery.ListKind && version is not null
                && AggregatedDiscovery.Versions.Contains(version))
            {
                return version;
            }
        }
        return null;
    }

    private static async Task ServeAggregatedAsync(HttpContext context, AggregatedDocument document, string version)
    {
        context.Response.Headers.CacheControl = "public";
        if (EntityTags.SetAndMatch(context, document.Hash))
        {
            context.Response.StatusCode = 304;
            return;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = $"application/json;g={AggregatedDiscovery.Group};v={version};as={AggregatedDiscovery.ListKind}";
        await context.Response.Body.WriteAsync(document.Bytes[version], context.RequestAborted);
    }
}
