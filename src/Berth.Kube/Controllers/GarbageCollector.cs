using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// Deletes objects whose owners are gone, as kube-controller-manager's garbage collector does, following
/// <c>metadata.ownerReferences</c>: a dependent all of whose owners are gone is deleted; one with some owners gone
/// loses those references. An owner deleted in the foreground (<c>foregroundDeletion</c> finalizer) has its
/// dependents deleted first and goes when no dependent that blocks it is left; an owner deleted with
/// <c>orphan</c> has its dependents released first.
/// </summary>
internal sealed class GarbageCollector(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<GarbageCollector> logger) : IController
{
    private readonly WorkQueue<string> _queue = new(time);

    /// <summary>The store key of each object by its uid.</summary>
    private readonly ConcurrentDictionary<string, string> _keysByUid = new(StringComparer.Ordinal);

    /// <summary>The keys of each owner's dependents, by the owner's uid.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _dependents = new(StringComparer.Ordinal);

    private ObjectInformer? _informer;

    public string Name => "garbage-collector";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _informer = informers.WatchUnshared($"/k8s/{cluster}/", Observe, OwnershipView);
        return ControllerLoop.RunAsync(Name, _informer, _queue, ReconcileAsync, logger, cancellationToken);
    }

    /// <summary>
    /// What the collector reads of each object in the cluster: its identity and the fields ownership and deletion
    /// are decided by. Every object passes through here, so the rest (specs, managedFields) is never parsed.
    /// </summary>
    private static readonly FrozenSet<string> s_ownershipFields =
        FrozenSet.Create(StringComparer.Ordinal, "name", "namespace", "uid", "deletionTimestamp", "finalizers", "ownerReferences");

    private static JsonObject OwnershipView(ReadOnlyMemory<byte> value, long revision) => ObjectStorage.DecodeMetadata(value, revision, s_ownershipFields);

    /// <summary>Keeps the ownership graph and queues every object a change may decide.</summary>
    private void Observe(ObjectChange change)
    {
        if (change.Old is { } old)
        {
            Unindex(change.Key, old);
        }
        if (change.New is { } now)
        {
            Index(change.Key, now);
            if (OwnerUids(now).Any() || now["metadata"]?["deletionTimestamp"] is not null)
            {
                _queue.Add(change.Key);
            }
        }
        var subject = change.New ?? change.Old!;
        if (Uid(subject) is { } uid && (change.New is null || subject["metadata"]?["deletionTimestamp"] is not null))
        {
            // an owner went or is going: its dependents may have to follow
            foreach (var dependent in _dependents.GetValueOrDefault(uid)?.Keys ?? [])
            {
                _queue.Add(dependent);
            }
        }
        if (change.New is null)
        {
            // a dependent went: an owner waiting on it in the foreground may go now
            foreach (var owner in OwnerUids(subject).Select(u => _keysByUid.GetValueOrDefault(u)).OfType<string>())
            {
                _queue.Add(owner);
            }
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_informer!.Get(key) is not { } obj || ObjectStorage.Parse(key, registry) is not var (type, ns, name))
        {
            return;
        }
        var metadata = (JsonObject)obj["metadata"]!;
        if (metadata["deletionTimestamp"] is not null)
        {
            if (HasFinalizer(metadata, ResourceHandler.OrphanFinalizer))
            {
                await OrphanDependentsAsync(obj, type, ns, name, cancellationToken);
                return;
            }
            if (HasFinalizer(metadata, ResourceHandler.ForegroundFinalizer))
            {
                await DeleteDependentsFirstAsync(obj, type, ns, name, cancellationToken);
                return;
            }
        }
        await CollectIfOrphanedAsync(obj, type, ns, name, cancellationToken);
    }

    /// <summary>
    /// A dependent with no owner left that stays is deleted: in the foreground when an owner waits on it there,
    /// else in the background. A dependent that keeps an owner loses its references to owners that are gone, and
    /// stops blocking owners that wait on it.
    /// </summary>
    private async Task CollectIfOrphanedAsync(JsonObject obj, ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        if (obj["metadata"]!["ownerReferences"] is not JsonArray { Count: > 0 } references || obj["metadata"]!["deletionTimestamp"] is not null)
        {
            return;
        }
        var dangling = new List<string>();
        var waiting = new List<string>();
        var staying = 0;
        foreach (var reference in references.OfType<JsonObject>())
        {
            switch (await OwnerStateAsync(reference, ns, cancellationToken))
            {
                case OwnerState.Gone:
                    dangling.Add(reference["uid"].AsText() ?? "");
                    break;
                case OwnerState.DeletingInForeground:
                    waiting.Add(reference["uid"].AsText() ?? "");
                    break;
                case OwnerState.Present:
                    staying++;
                    break;
                case OwnerState.InvalidNamespace:
                    // A cluster-scoped object cannot be owned by a namespaced one: the reference can never be
                    // resolved, so the object is not collected, and the mistake is reported on it.
                    await events.RecordAsync(cluster, obj, EventRecorder.Warning, "OwnerRefInvalidNamespace",
                        $"ownerRef [{reference["apiVersion"].AsText()}/{reference["kind"].AsText()}, namespace: , name: {reference["name"].AsText()}, uid: {reference["uid"].AsText()}] does not exist in namespace \"\"",
                        "garbage-collector-controller", cancellationToken);
                    return;
                default:
                    return; // an owner of a kind this server does not serve: nothing can be decided about it
            }
        }
        if (staying == 0)
        {
            var policy = waiting.Count > 0 ? DeleteOptions.Foreground : DeleteOptions.Background;
            await objects.DeleteObjectAsync(cluster, type, ns, name, DeleteOptions.Default with { PropagationPolicy = policy, PreconditionUid = Uid(obj) },
                cancellationToken);
            return;
        }
        var blocking = references.OfType<JsonObject>().Any(r => waiting.Contains(r["uid"].AsText() ?? "") && r["blockOwnerDeletion"].AsBool() == true);
        if (dangling.Count > 0 || blocking)
        {
            await objects.UpdateObjectAsync(cluster, type, ns, name, FieldOwner.ControllerManager, current => Unblocking(WithoutOwners(current, dangling), waiting), cancellationToken);
        }
    }

    private static JsonObject Unblocking(JsonObject obj, IReadOnlyCollection<string> uids)
    {
        foreach (var reference in (obj["metadata"]!["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (uids.Contains(reference["uid"].AsText() ?? ""))
            {
                reference["blockOwnerDeletion"] = false;
            }
        }
        return obj;
    }

    /// <summary>Foreground deletion: the dependents go first; the owner's finalizer comes off once none that blocks it is left.</summary>
    private async Task DeleteDependentsFirstAsync(JsonObject owner, ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        var uid = Uid(owner)!;
        var blocking = 0;
        foreach (var key in _dependents.GetValueOrDefault(uid)?.Keys.ToList() ?? [])
        {
            if (_informer!.Get(key) is not { } dependent || ObjectStorage.Parse(key, registry) is not var (depType, depNs, depName))
            {
                continue;
            }
            var blocks = dependent["metadata"]?["ownerReferences"] is JsonArray refs
                && refs.Any(r => r?["uid"].AsText() == uid && r["blockOwnerDeletion"].AsBool() == true);
            blocking += blocks ? 1 : 0;
            if (dependent["metadata"]?["deletionTimestamp"] is null)
            {
                await DeleteQuietlyAsync(depType, depNs, depName, Uid(dependent), DeleteOptions.Foreground, cancellationToken);
            }
        }
        if (blocking == 0)
        {
            await objects.UpdateObjectAsync(cluster, type, ns, name, FieldOwner.ControllerManager, current => WithoutFinalizer(current, ResourceHandler.ForegroundFinalizer), cancellationToken);
        }
    }

    /// <summary>Orphan deletion: every dependent loses its reference to the owner, then the owner's finalizer comes off.</summary>
    private async Task OrphanDependentsAsync(JsonObject owner, ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        var uid = Uid(owner)!;
        foreach (var key in _dependents.GetValueOrDefault(uid)?.Keys.ToList() ?? [])
        {
            if (ObjectStorage.Parse(key, registry) is var (depType, depNs, depName))
            {
                try
                {
                    await objects.UpdateObjectAsync(cluster, depType, depNs, depName, FieldOwner.ControllerManager, current => WithoutOwners(current, [uid]), cancellationToken);
                }
                catch (KubeApiException e) when (e.Reason == "NotFound")
                {
                    // gone meanwhile: nothing to release
                }
            }
        }
        await objects.UpdateObjectAsync(cluster, type, ns, name, FieldOwner.ControllerManager, current => WithoutFinalizer(current, ResourceHandler.OrphanFinalizer), cancellationToken);
    }

    private enum OwnerState
    {
        Present,
        Gone,
        DeletingInForeground,
        Unknown,

        /// <summary>The owner's kind is namespaced and the dependent is not: no such owner can exist.</summary>
        InvalidNamespace,
    }

    /// <summary>Whether an owner exists, read from the store rather than the informer, so a late copy cannot make a dependent go.</summary>
    private async Task<OwnerState> OwnerStateAsync(JsonObject reference, string? dependentNamespace, CancellationToken cancellationToken)
    {
        if (reference["apiVersion"].AsText() is not { } apiVersion || reference["kind"].AsText() is not { } kind
            || reference["name"].AsText() is not { } ownerName || registry.FindKind(apiVersion, kind) is not { } ownerType)
        {
            return OwnerState.Unknown;
        }
        if (ownerType.Namespaced && dependentNamespace is null)
        {
            return OwnerState.InvalidNamespace;
        }
        var owner = await objects.GetObjectAsync(cluster, ownerType, ownerType.Namespaced ? dependentNamespace : null, ownerName, cancellationToken);
        if (owner is null || Uid(owner) != reference["uid"].AsText())
        {
            return OwnerState.Gone;
        }
        var metadata = (JsonObject)owner["metadata"]!;
        return metadata["deletionTimestamp"] is not null && HasFinalizer(metadata, ResourceHandler.ForegroundFinalizer)
            ? OwnerState.DeletingInForeground
            : OwnerState.Present;
    }

    private async Task DeleteQuietlyAsync(ResourceType type, string? ns, string name, string? uid, string policy, CancellationToken cancellationToken)
    {
        try
        {
            await objects.DeleteObjectAsync(cluster, type, ns, name, DeleteOptions.Default with { PropagationPolicy = policy, PreconditionUid = uid }, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "NotFound")
        {
            // gone meanwhile
        }
    }

    private static JsonObject WithoutOwners(JsonObject obj, IReadOnlyCollection<string> uids)
    {
        if (obj["metadata"]!["ownerReferences"] is JsonArray references)
        {
            var kept = references.Where(r => !uids.Contains(r?["uid"].AsText() ?? "")).Select(r => r!.DeepClone()).ToArray();
            obj["metadata"]!["ownerReferences"] = new JsonArray(kept);
            if (kept.Length == 0)
            {
                obj["metadata"]!.AsObject().Remove("ownerReferences");
            }
        }
        return obj;
    }

    private static JsonObject WithoutFinalizer(JsonObject obj, string finalizer)
    {
        if (obj["metadata"]!["finalizers"] is JsonArray finalizers)
        {
            obj["metadata"]!["finalizers"] = new JsonArray([.. finalizers.Where(f => f.AsText() != finalizer).Select(f => f!.DeepClone())]);
        }
        return obj;
    }

    private void Index(string key, JsonObject obj)
    {
        if (Uid(obj) is { } uid)
        {
            _keysByUid[uid] = key;
        }
        foreach (var owner in OwnerUids(obj))
        {
            _dependents.GetOrAdd(owner, _ => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal))[key] = true;
        }
    }

    private void Unindex(string key, JsonObject obj)
    {
        if (Uid(obj) is { } uid)
        {
            _keysByUid.TryRemove(new KeyValuePair<string, string>(uid, key));
        }
        foreach (var owner in OwnerUids(obj))
        {
            if (_dependents.TryGetValue(owner, out var keys))
            {
                keys.TryRemove(key, out _);
            }
        }
    }

    private static string? Uid(JsonObject obj) => obj["metadata"]?["uid"].AsText();

    private static IEnumerable<string> OwnerUids(JsonObject obj) =>
        obj["metadata"]?["ownerReferences"] is JsonArray references ? references.Select(r => r?["uid"].AsText()).OfType<string>() : [];

    private static bool HasFinalizer(JsonObject metadata, string finalizer) =>
        metadata["finalizers"] is JsonArray finalizers && finalizers.Any(f => f.AsText() == finalizer);
}
