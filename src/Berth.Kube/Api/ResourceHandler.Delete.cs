using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Kube.Schema;
using Berth.Store;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    /// <summary>The finalizer that holds an owner until the garbage collector has deleted its dependents.</summary>
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>The finalizer that holds an owner until the garbage collector has released its dependents.</summary>
    public const string OrphanFinalizer = "orphan";

    /// <summary>The namespace finalizer the namespace controller clears once the namespace is empty.</summary>
    public const string NamespaceFinalizer = "kubernetes";

    private const int DeleteAttempts = 5;

    /// <summary>
    /// A DELETE: 200 with the object, gone or still held (by finalizers or a grace period); 202 only when it is held
    /// and the request sent <c>orphanDependents: false</c>, as kube-apiserver keeps for old clients.
    /// </summary>
    private async Task DeleteAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name)
    {
        var options = DeleteOptions.Parse(context.Request.Query, await ReadDeleteOptionsAsync(context));
        var (obj, gone) = await DeleteObjectAsync(cluster, type, ns, name, options, context.RequestAborted);
        await KubeResponse.WriteAsync(context, !gone && options.OrphanDependentsFalse ? 202 : 200, obj);
    }

    /// <summary>
    /// A DELETE of a collection: every object the label and field selectors pick is deleted as a DELETE of it
    /// would be; the answer lists them as they were left (gone, or held by finalizers).
    /// </summary>
    private async Task DeleteCollectionAsync(HttpContext context, string cluster, ResourceType type, string? ns)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"], type.Strategy.FieldLabels, type.Strategy.FieldLabelDefaults);
        var options = DeleteOptions.Parse(context.Request.Query, await ReadDeleteOptionsAsync(context));
        var listed = await store.ListAsync(ObjectStorage.Prefix(cluster, type, ns), cancellationToken: context.RequestAborted);
        var items = new JsonArray();
        foreach (var obj in listed.Items.Select(e => ObjectStorage.Decode(type, e)).Where(o => labels.Matches(o) && fields.Matches(o)))
        {
            try
            {
                var (left, _) = await DeleteObjectAsync(cluster, type, ns, obj["metadata"]!["name"]!.GetValue<string>(), options, context.RequestAborted);
                left.Remove("kind");
                left.Remove("apiVersion");
                items.Add(left);
            }
            catch (KubeApiException e) when (e.Reason == "NotFound")
            {
                // deleted by someone else meanwhile
            }
        }
        await KubeResponse.WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = listed.Revision.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    /// <summary>
    /// Deletes as kube-apiserver does. An object without finalizers goes at once, unless its kind deletes it
    /// gracefully (a pod on a node): then it gets a <c>deletionTimestamp</c> its grace period ahead and stays until
    /// a delete with grace 0 confirms it. With finalizers it gets its <c>deletionTimestamp</c> and stays until they
    /// are removed; <c>Foreground</c> and <c>Orphan</c> add the garbage collector's finalizers for that. A namespace turns <c>Terminating</c> until the namespace
    /// controller has emptied it. Returns the object and whether it is gone.
    /// </summary>
    public async Task<(JsonObject Object, bool Gone)> DeleteObjectAsync(string cluster, ResourceType type, string? ns, string name,
        DeleteOptions options, CancellationToken cancellationToken)
    {
        if (type.Kind == "Namespace" && NamespaceStrategy.SystemNamespaces.Contains(name))
        {
            throw new KubeApiException(403, "Forbidden", $"namespaces \"{name}\" is forbidden: this namespace may not be deleted",
                new JsonObject { ["name"] = name, ["kind"] = "namespaces" });
        }
        if (type.Kind == "Namespace" && type.Group.Length == 0)
        {
            namespaceLister.RequireLiveLookup(cluster, name);
        }
        for (var attempt = 1; ; attempt++)
        {
            var existing = await RequireAsync(cluster, type, ns, name, cancellationToken);
            var metadata = (JsonObject)existing["metadata"]!;
            CheckPreconditions(type, name, metadata, options);
            var revision = long.Parse(metadata["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var finalizers = Finalizers(metadata);
            var changed = options.PropagationPolicy switch
            {
                DeleteOptions.Foreground => Swap(finalizers, add: ForegroundFinalizer, remove: OrphanFinalizer),
                DeleteOptions.Orphan => Swap(finalizers, add: OrphanFinalizer, remove: ForegroundFinalizer),
                _ => false,
            };
            var grace = type.Strategy.GracefulDeletePeriod(existing, options.GracePeriodSeconds) ?? 0;
            var held = finalizers.Count > 0 || grace > 0 || (type.Kind == "Namespace" && NamespaceFinalizers(existing).Count > 0);
            try
            {
                if (!held)
                {
                    if (options.DryRun)
                    {
                        return (existing, true);
                    }
                    return (await RemoveAsync(cluster, type, ns, name, revision, cancellationToken), true);
                }
                if (metadata["deletionTimestamp"] is null)
                {
                    metadata["deletionTimestamp"] = Timestamp(time.GetUtcNow().AddSeconds(grace));
                    metadata["deletionGracePeriodSeconds"] = grace;
                    changed = true;
                }
                else if (metadata["deletionGracePeriodSeconds"].AsLong() is { } current && grace < current
                    && KubeTime.Parse(metadata["deletionTimestamp"]) is { } due)
                {
                    // a deletion under way may only be hastened: the same start, the shorter grace
                    metadata["deletionTimestamp"] = Timestamp(due.AddSeconds(grace - current));
                    metadata["deletionGracePeriodSeconds"] = grace;
                    changed = true;
                }
                if (type.Kind == "Namespace" && existing["status"]?["phase"].AsText() != "Terminating")
                {
                    existing["status"] = new JsonObject { ["phase"] = "Terminating" };
                    changed = true;
                }
                metadata["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)f)]);
                if (!changed || options.DryRun)
                {
                    return (existing, false);
                }
                var entry = await store.UpdateAsync(ObjectStorage.Key(cluster, type, ns, name), ObjectStorage.Encode(type, existing), revision, cancellationToken);
                return (ObjectStorage.Stamp(existing, entry), false);
            }
            catch (Exception e) when (e is StoreException { Code: StoreErrorCode.Conflict } or KubeApiException { Reason: "Conflict" } && attempt < DeleteAttempts)
            {
                // written meanwhile: decide again on the newer object
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.Conflict)
            {
                throw KubeApiException.Conflict(type.Plural, name);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
            {
                throw KubeApiException.NotFound(type.Plural, name);
            }
        }
    }

    /// <summary>
    /// The namespace controller's last step: clears the namespace's own finalizer and, when nothing else holds it,
    /// removes the namespace. Does nothing to a namespace that is not being deleted.
    /// </summary>
    public async Task FinalizeNamespaceAsync(string cluster, string name, CancellationToken cancellationToken)
    {
        var namespaces = registry.Find("", "v1", "namespaces")!;
        await GuaranteedUpdateAsync(cluster, namespaces, null, name, dryRun: false, keepStatus: true, FieldOwner.ControllerManager, existing =>
        {
            if (existing["metadata"]!["deletionTimestamp"] is not null && existing["spec"] is JsonObject spec)
            {
                spec["finalizers"] = new JsonArray();
            }
            return (existing, null);
        }, cancellationToken);
    }

    private static void CheckPreconditions(ResourceType type, string name, JsonObject metadata, DeleteOptions options)
    {
        if (options.PreconditionUid is { } uid && metadata["uid"].AsText() != uid)
        {
            throw new KubeApiException(409, "Conflict",
                $"Operation cannot be fulfilled on {type.Plural} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {metadata["uid"].AsText()}");
        }
        if (options.PreconditionResourceVersion is { } rv && metadata["resourceVersion"].AsText() != rv)
        {
            throw new KubeApiException(409, "Conflict",
                $"Operation cannot be fulfilled on {type.Plural} \"{name}\": Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {metadata["resourceVersion"].AsText()}");
        }
    }

    private static List<string> Finalizers(JsonObject metadata) =>
        metadata["finalizers"] is JsonArray list ? [.. list.Select(f => f.AsText()).OfType<string>()] : [];

    private static List<string> NamespaceFinalizers(JsonObject ns) =>
        ns["spec"]?["finalizers"] is JsonArray list ? [.. list.Select(f => f.AsText()).OfType<string>()] : [];

    private static bool Swap(List<string> finalizers, string add, string remove)
    {
        var changed = finalizers.Remove(remove);
        if (!finalizers.Contains(add))
        {
            finalizers.Add(add);
            changed = true;
        }
        return changed;
    }

    /// <summary>A DELETE's DeleteOptions body, as JSON or protobuf; null when there is none.</summary>
    private static async Task<JsonObject?> ReadDeleteOptionsAsync(HttpContext context)
    {
        var body = await ReadBodyBytesAsync(context);
        if (body.IsEmpty)
        {
            return null;
        }
        var mediaType = (context.Request.ContentType ?? "application/json").Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType == Protobuf.ProtobufBody.MediaType && ClientModelSchemas.Shared.ForKind("", "v1", "DeleteOptions") is { } schema)
        {
            try
            {
                return Protobuf.ProtobufBody.Decode(body.Span, schema, "v1", "DeleteOptions", Protobuf.ProtoFieldTable.Shared);
            }
            catch (Exception e) when (e is Protobuf.ProtobufDecodeException or Google.Protobuf.InvalidProtocolBufferException)
            {
                throw KubeApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
            }
        }
        return ParseJson(body) as JsonObject ?? throw KubeApiException.BadRequest("a DeleteOptions body must be a JSON object");
    }
}
