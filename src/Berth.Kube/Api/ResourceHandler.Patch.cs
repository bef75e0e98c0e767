using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api.Patching;
using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    private const int PatchAttempts = 5;

    /// <summary>
    /// PATCH with a JSON Patch, a JSON Merge Patch, or a strategic merge patch. The served kinds have no lists
    /// merged by key, so a strategic merge patch merges as a merge patch; its <c>$</c> directives are refused
    /// until kinds that need them are served. A patch without a resourceVersion is retried on conflict,
    /// as kube-apiserver does.
    /// </summary>
    private async Task PatchAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name)
    {
        var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim();
        if (contentType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json"))
        {
            throw new KubeApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
        }
        var patch = await ReadJsonAsync(context);
        if (contentType == "application/strategic-merge-patch+json" && HasDirective(patch))
        {
            throw KubeApiException.BadRequest("strategic merge patch directives ($patch, $retainKeys, $setElementOrder, …) are not supported yet");
        }

        for (var attempt = 1; ; attempt++)
        {
            var existing = await ReadAsync(cluster, type, ns, name, context.RequestAborted)
                ?? throw KubeApiException.NotFound(type.Plural, name);
            var revision = long.Parse(existing["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var patched = contentType == "application/json-patch+json"
                ? JsonPatch.Apply(existing.DeepClone(), patch as JsonArray ?? throw KubeApiException.BadRequest("a JSON patch must be an array of operations"))
                : MergePatch.Apply(existing.DeepClone(), patch as JsonObject ?? throw KubeApiException.BadRequest("a merge patch must be a JSON object"));
            if (patched is not JsonObject obj || obj["metadata"] is not JsonObject metadata)
            {
                throw KubeApiException.BadRequest("the patched object is not a Kubernetes object");
            }
            ObjectShape.Check(obj);
            // A resourceVersion in the patch is a precondition; the server-owned fields stay as stored.
            long? expected = metadata["resourceVersion"]?.GetValue<string>() is { Length: > 0 } rv && rv != revision.ToString(CultureInfo.InvariantCulture)
                ? ParseRevision(rv)
                : revision;
            if (obj["kind"]?.GetValue<string>() != type.Kind || obj["apiVersion"]?.GetValue<string>() != type.ApiVersion
                || metadata["name"]?.GetValue<string>() != name)
            {
                throw KubeApiException.BadRequest("a patch cannot change the kind, apiVersion or name of an object");
            }
            try
            {
                var replaced = await ReplaceObjectAsync(cluster, type, ns, existing, obj, expected, IsDryRun(context), context.RequestAborted);
                await KubeResponse.WriteAsync(context, 200, replaced);
                return;
            }
            catch (KubeApiException e) when (e.Reason == "Conflict" && expected == revision && attempt < PatchAttempts)
            {
                // someone wrote between our read and our write: patch the newer object
            }
        }
    }

    private static bool HasDirective(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(p => p.Key.StartsWith('$') || HasDirective(p.Value)),
        JsonArray array => array.Any(HasDirective),
        _ => false,
    };

    private static async Task<JsonNode> ReadJsonAsync(HttpContext context)
    {
        var body = await ReadBodyBytesAsync(context);
        try
        {
            return JsonNode.Parse(body.Span) ?? throw KubeApiException.BadRequest("the body of the request is null");
        }
        catch (JsonException e)
        {
            throw KubeApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }
}
