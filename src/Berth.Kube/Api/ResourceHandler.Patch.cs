using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api.Patching;
using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    private const int PatchAttempts = 5;

    private async Task PatchAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name)
    {
        var (contentType, patch) = await ReadPatchAsync(context);
        var patched = await GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: true, existing =>
        {
            var obj = ApplyPatch(type, contentType, patch, existing);
            FieldValidation.Decode(context, type, obj);
            var metadata = (JsonObject)obj["metadata"]!;
            if (obj["kind"].AsText() != type.Kind || obj["apiVersion"].AsText() != type.ApiVersion || metadata["name"].AsText() != name)
            {
                throw KubeApiException.BadRequest("a patch cannot change the kind, apiVersion or name of an object");
            }
            // A resourceVersion in the patch is a precondition.
            var stated = metadata["resourceVersion"].AsText();
            var stored = existing["metadata"]!["resourceVersion"]!.GetValue<string>();
            return (obj, stated is { Length: > 0 } && stated != stored ? ParseRevision(stated) : null);
        }, context.RequestAborted);
        await KubeResponse.WriteAsync(context, 200, patched);
    }

    /// <summary>
    /// An update made in process, by a controller: <paramref name="change"/> gets a copy of the stored object and
    /// returns the new one; the write is validated as any update is, and starts over if the object changed meanwhile.
    /// </summary>
    public Task<JsonObject> UpdateObjectAsync(string cluster, ResourceType type, string? ns, string name,
        Func<JsonObject, JsonObject> change, CancellationToken cancellationToken) =>
        GuaranteedUpdateAsync(cluster, type, ns, name, dryRun: false, keepStatus: true, existing => (change(existing), null), cancellationToken);

    /// <summary>A write of an object's status made in process, as a controller writes <c>…/status</c>.</summary>
    public Task<JsonObject> UpdateStatusAsync(string cluster, ResourceType type, string? ns, string name,
        Func<JsonObject, JsonObject> change, CancellationToken cancellationToken) =>
        GuaranteedUpdateAsync(cluster, type, ns, name, dryRun: false, keepStatus: false, existing => (change(existing), null), cancellationToken);

    /// <summary>The stored object, or null when there is none.</summary>
    public Task<JsonObject?> GetObjectAsync(string cluster, ResourceType type, string? ns, string name, CancellationToken cancellationToken) =>
        ReadAsync(cluster, type, ns, name, cancellationToken);

    /// <summary>
    /// Read, change, write, as kube-apiserver's GuaranteedUpdate does: <paramref name="change"/> gets a copy of
    /// the stored object and returns the new one with an optional resourceVersion precondition. Without one, a
    /// conflicting write in between makes it start over on the newer object.
    /// </summary>
    private async Task<JsonObject> GuaranteedUpdateAsync(string cluster, ResourceType type, string? ns, string name, bool dryRun,
        bool keepStatus, Func<JsonObject, (JsonObject Updated, long? Precondition)> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await RequireAsync(cluster, type, ns, name, cancellationToken);
            var (updated, precondition) = change((JsonObject)existing.DeepClone());
            var revision = precondition ?? long.Parse(existing["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            try
            {
                return await ReplaceObjectAsync(cluster, type, ns, existing, updated, revision, dryRun, keepStatus, cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason == "Conflict" && precondition is null && attempt < PatchAttempts)
            {
                // someone wrote between our read and our write: change the newer object
            }
        }
    }

    /// <summary>Applies a JSON Patch, a JSON Merge Patch, or a strategic merge patch to <paramref name="target"/>.</summary>
    private static JsonObject ApplyPatch(ResourceType type, string contentType, JsonNode patch, JsonObject target)
    {
        var patched = contentType switch
        {
            "application/json-patch+json" => JsonPatch.Apply(target,
                patch as JsonArray ?? throw KubeApiException.BadRequest("a JSON patch must be an array of operations")),
            "application/merge-patch+json" => MergePatch.Apply(target,
                patch as JsonObject ?? throw KubeApiException.BadRequest("a merge patch must be a JSON object")),
            _ => new StrategicMergePatch(type.Strategy.MergeKeys).Apply(target,
                patch as JsonObject ?? throw KubeApiException.BadRequest("a strategic merge patch must be a JSON object")),
        };
        if (patched is not JsonObject obj || obj["metadata"] is not JsonObject)
        {
            throw KubeApiException.BadRequest("the patched object is not a Kubernetes object");
        }
        return obj;
    }

    private static async Task<(string ContentType, JsonNode Patch)> ReadPatchAsync(HttpContext context)
    {
        var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim();
        if (contentType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json"))
        {
            throw new KubeApiException(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json");
        }
        return (contentType, ParseJson(await ReadBodyBytesAsync(context)));
    }
}
