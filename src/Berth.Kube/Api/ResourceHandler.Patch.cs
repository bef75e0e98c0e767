using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api.Patching;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    /// <summary>
    /// How often a write without a resourceVersion is applied again to a newer object after losing a race. A busy
    /// object (a Deployment whose status the controllers keep writing) can lose several in a row on a loaded machine;
    /// kube-apiserver retries such a patch for as long as it does not touch what changed meanwhile.
    /// </summary>
    private const int PatchAttempts = 20;

    private const string ApplyPatchType = "application/apply-patch+yaml";

    private async Task PatchAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name)
    {
        var (contentType, patch) = await ReadPatchAsync(context, applyAllowed: true);
        if (contentType == ApplyPatchType)
        {
            await ApplyAsync(context, cluster, type, ns, name, patch);
            return;
        }
        var owner = FieldOwner.FromRequest(context, null, "PatchOptions", apply: false);
        var patched = await GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: true, owner, existing =>
        {
            var obj = ApplyPatch(type, contentType, patch, existing);
            FieldValidation.Decode(context, type, obj);
            return (obj, PatchPrecondition(type, name, obj, existing));
        }, context.RequestAborted);
        await KubeResponse.WriteAsync(context, 200, patched);
    }

    /// <summary>
    /// Server-side apply: the configuration merged into the object by its field manager, which creates the object
    /// when there is none (201) and answers 409 for fields other managers own unless <c>force</c> is set.
    /// </summary>
    private async Task ApplyAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name, JsonNode patch)
    {
        var (config, owner, force) = ReadApplyConfiguration(context, type, patch, subresource: null);
        var dryRun = IsDryRun(context);
        for (var attempt = 1; ; attempt++)
        {
            if (await ReadAsync(cluster, type, ns, name, context.RequestAborted) is null)
            {
                var obj = FieldManager.Apply(type, null, (JsonObject)config.DeepClone(), owner, force, time.GetUtcNow());
                PatchPrecondition(type, name, obj, null);
                try
                {
                    await KubeResponse.WriteAsync(context, 201, await CreateObjectAsync(cluster, type, ns, obj, owner, dryRun, context.RequestAborted));
                    return;
                }
                catch (KubeApiException e) when (e.Reason == "AlreadyExists" && attempt < PatchAttempts)
                {
                    // made meanwhile: apply to what was made
                }
            }
            try
            {
                var applied = await GuaranteedUpdateAsync(cluster, type, ns, name, dryRun, keepStatus: true, owner, existing =>
                {
                    var obj = FieldManager.Apply(type, existing, (JsonObject)config.DeepClone(), owner, force, time.GetUtcNow());
                    return (obj, PatchPrecondition(type, name, obj, existing));
                }, context.RequestAborted);
                await KubeResponse.WriteAsync(context, 200, applied);
                return;
            }
            catch (KubeApiException e) when (e.Reason == "NotFound" && e.Code == 404 && attempt < PatchAttempts)
            {
                // deleted meanwhile: apply creates it again
            }
        }
    }

    /// <summary>An apply configuration as the request gives it: its object, its manager (required) and whether it forces conflicts.</summary>
    private static (JsonObject Config, FieldOwner Owner, bool Force) ReadApplyConfiguration(HttpContext context, ResourceType type, JsonNode patch,
        string? subresource)
    {
        var owner = FieldOwner.FromRequest(context, subresource, "PatchOptions", apply: true);
        var force = QueryFlag.Parse(context.Request.Query["force"]) ?? false;
        var config = patch as JsonObject ?? throw KubeApiException.BadRequest("an apply configuration must be an object");
        if (config["apiVersion"].AsText() is not { Length: > 0 } || config["kind"].AsText() is not { Length: > 0 })
        {
            throw KubeApiException.BadRequest("an apply configuration must name its apiVersion and kind");
        }
        FieldValidation.Decode(context, type, config);
        return (config, owner, force);
    }

    /// <summary>
    /// Checks that a patch left the object's identity alone, and reads the resourceVersion it states, which is a
    /// precondition on the write.
    /// </summary>
    private static long? PatchPrecondition(ResourceType type, string name, JsonObject obj, JsonObject? existing)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        if (obj["kind"].AsText() != type.Kind || obj["apiVersion"].AsText() != type.ApiVersion || metadata["name"].AsText() is { } given && given != name)
        {
            throw KubeApiException.BadRequest("a patch cannot change the kind, apiVersion or name of an object");
        }
        metadata["name"] = name;
        var stated = metadata["resourceVersion"].AsText();
        var stored = existing?["metadata"]?["resourceVersion"].AsText();
        return stated is { Length: > 0 } && stated != stored ? ParseRevision(stated) : null;
    }

    /// <summary>
    /// An update made in process, by a controller: <paramref name="change"/> gets a copy of the stored object and
    /// returns the new one; the write is validated as any update is, and starts over if the object changed meanwhile.
    /// </summary>
    public Task<JsonObject> UpdateObjectAsync(string cluster, ResourceType type, string? ns, string name, FieldOwner owner,
        Func<JsonObject, JsonObject> change, CancellationToken cancellationToken) =>
        GuaranteedUpdateAsync(cluster, type, ns, name, dryRun: false, keepStatus: true, owner, existing => (change(existing), null), cancellationToken);

    /// <summary>A write of an object's status made in process, as a controller writes <c>…/status</c>.</summary>
    public Task<JsonObject> UpdateStatusAsync(string cluster, ResourceType type, string? ns, string name, FieldOwner owner,
        Func<JsonObject, JsonObject> change, CancellationToken cancellationToken) =>
        GuaranteedUpdateAsync(cluster, type, ns, name, dryRun: false, keepStatus: false, owner with { Subresource = "status" },
            existing => (change(existing), null), cancellationToken);

    /// <summary>
    /// A status write guarded by the resourceVersion the caller computed it from, as a controller's UpdateStatus of
    /// its informer's copy: Conflict when the object changed since, so nothing written meanwhile is overwritten.
    /// </summary>
    public Task<JsonObject> UpdateStatusAsync(string cluster, ResourceType type, string? ns, string name, FieldOwner owner, long expectedRevision,
        Func<JsonObject, JsonObject> change, CancellationToken cancellationToken) =>
        GuaranteedUpdateAsync(cluster, type, ns, name, dryRun: false, keepStatus: false, owner with { Subresource = "status" },
            existing => (change(existing), expectedRevision), cancellationToken);

    /// <summary>The stored object, or null when there is none.</summary>
    public Task<JsonObject?> GetObjectAsync(string cluster, ResourceType type, string? ns, string name, CancellationToken cancellationToken) =>
        ReadAsync(cluster, type, ns, name, cancellationToken);

    /// <summary>
    /// Read, change, write, as kube-apiserver's GuaranteedUpdate does: <paramref name="change"/> gets a copy of
    /// the stored object and returns the new one with an optional resourceVersion precondition. Without one, a
    /// conflicting write in between makes it start over on the newer object.
    /// </summary>
    private async Task<JsonObject> GuaranteedUpdateAsync(string cluster, ResourceType type, string? ns, string name, bool dryRun,
        bool keepStatus, FieldOwner owner, Func<JsonObject, (JsonObject Updated, long? Precondition)> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await RequireAsync(cluster, type, ns, name, cancellationToken);
            var (updated, precondition) = change((JsonObject)existing.DeepClone());
            var revision = precondition ?? long.Parse(existing["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            try
            {
                return await ReplaceObjectAsync(cluster, type, ns, existing, updated, revision, dryRun, keepStatus, owner, cancellationToken);
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

    /// <summary>Reads a patch: JSON Patch, merge patch, strategic merge patch, or (where allowed) an apply configuration in YAML or JSON.</summary>
    private static async Task<(string ContentType, JsonNode Patch)> ReadPatchAsync(HttpContext context, bool applyAllowed = false)
    {
        var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (contentType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json")
            && !(applyAllowed && contentType == ApplyPatchType))
        {
            throw new KubeApiException(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"
                + (applyAllowed ? ", " + ApplyPatchType : ""));
        }
        var body = await ReadBodyBytesAsync(context);
        return (contentType, contentType == ApplyPatchType
            ? YamlBody.Parse(body) ?? throw KubeApiException.BadRequest("the apply configuration is empty")
            : ParseJson(body));
    }
}
