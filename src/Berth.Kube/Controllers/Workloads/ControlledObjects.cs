using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// The objects of one kind (pods, ReplicaSets …) that workloads control through a controller reference, as
/// client-go's controller reference manager keeps them: an index from each controller's uid to the keys it
/// controls, fed by the controlled kind's informer, and the claim that adopts matching orphans and releases
/// controlled objects that stopped matching.
/// </summary>
internal sealed class ControlledObjects(ResourceHandler objects, string cluster, ResourceType type)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _byController = new(StringComparer.Ordinal);

    /// <summary>Keeps the index current; the controlled kind's informer calls it with every change.</summary>
    public void Observe(ObjectChange change)
    {
        if (change.Old is { } old && ControllerReference(old)?["uid"].AsText() is { } oldController)
        {
            _byController.GetValueOrDefault(oldController)?.TryRemove(change.Key, out _);
        }
        if (change.New is { } now && ControllerReference(now)?["uid"].AsText() is { } controller)
        {
            _byController.GetOrAdd(controller, _ => new(StringComparer.Ordinal))[change.Key] = true;
        }
    }

    /// <summary>
    /// What a workload controller does with each change of its controlled kind: keeps the index current, then queues
    /// the object's controller if it is of <paramref name="ownerType"/> (telling <paramref name="expectations"/> what
    /// the change shows), or else, for an orphan, the owners whose selector matches it.
    /// </summary>
    public void Route(ObjectChange change, ResourceType ownerType, ObjectInformer owners, WorkQueue<string> queue, Expectations? expectations = null)
    {
        Observe(change);
        var obj = change.New ?? change.Old!;
        if (ControllerKey(obj, ownerType) is { } ownerKey)
        {
            expectations?.Observe(ownerKey, change);
            queue.Add(ownerKey);
        }
        else if (change.New is not null)
        {
            foreach (var key in OwnersThatMayAdopt(owners, obj))
            {
                queue.Add(key);
            }
        }
    }

    /// <summary>The owner reference marked <c>controller: true</c>, or null.</summary>
    public static JsonObject? ControllerReference(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(r => r["controller"]?.GetValue<bool>() == true);

    /// <summary>The store key of the object's controller when it is of <paramref name="ownerType"/>, or null.</summary>
    public string? ControllerKey(JsonObject obj, ResourceType ownerType)
    {
        var reference = ControllerReference(obj);
        if (reference?["kind"].AsText() != ownerType.Kind || reference["apiVersion"].AsText() is not { } apiVersion
            || (ownerType.Group.Length > 0 ? !apiVersion.StartsWith(ownerType.Group + "/", StringComparison.Ordinal) : apiVersion.Contains('/')))
        {
            return null;
        }
        return ObjectStorage.Key(cluster, ownerType, obj["metadata"]!["namespace"].AsText(), reference["name"]!.GetValue<string>());
    }

    /// <summary>The objects in <paramref name="informer"/> whose controller has <paramref name="uid"/>, without adopting or releasing any.</summary>
    public IEnumerable<JsonObject> ControlledBy(ObjectInformer informer, string uid) =>
        (_byController.GetValueOrDefault(uid)?.Keys ?? []).Select(informer.Get).OfType<JsonObject>();

    /// <summary>
    /// The objects <paramref name="owner"/> controls: those naming it as controller that still match
    /// <paramref name="selector"/>, plus the matching orphans in its namespace, adopted now. Controlled objects that
    /// stopped matching are released. An owner being deleted, or with an empty selector, adopts nothing.
    /// </summary>
    public async Task<List<JsonObject>> ClaimAsync(ObjectInformer informer, JsonObject owner, LabelSelector selector, FieldOwner fieldOwner,
        CancellationToken cancellationToken)
    {
        var uid = owner["metadata"]!["uid"]!.GetValue<string>();
        var claimed = new List<JsonObject>();
        foreach (var key in _byController.GetValueOrDefault(uid)?.Keys ?? [])
        {
            if (informer.Get(key) is not { } controlled)
            {
                continue;
            }
            if (selector.Matches(controlled))
            {
                claimed.Add(controlled);
            }
            else if (controlled["metadata"]?["deletionTimestamp"] is null)
            {
                await SetControllerAsync(controlled, uid, adopter: null, fieldOwner, cancellationToken);
            }
        }
        if (owner["metadata"]?["deletionTimestamp"] is not null || selector.IsEmpty)
        {
            return claimed;
        }
        var prefix = ObjectStorage.Prefix(cluster, type, owner["metadata"]?["namespace"].AsText());
        foreach (var (key, candidate) in informer.Objects)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && ControllerReference(candidate) is null
                && candidate["metadata"]?["deletionTimestamp"] is null && selector.Matches(candidate))
            {
                claimed.Add(await SetControllerAsync(candidate, uid, adopter: owner, fieldOwner, cancellationToken));
            }
        }
        return claimed;
    }

    /// <summary>The keys of the owners in <paramref name="owners"/> whose selector matches an orphan, in its namespace.</summary>
    public static IEnumerable<string> OwnersThatMayAdopt(ObjectInformer owners, JsonObject orphan)
    {
        var ns = orphan["metadata"]?["namespace"].AsText();
        return owners.Objects
            .Where(o => o.Value["metadata"]?["namespace"].AsText() == ns && LabelSelector.FromObject(o.Value["spec"]?["selector"]).Matches(orphan))
            .Select(o => o.Key);
    }

    /// <summary>A controller reference to <paramref name="owner"/>, one that blocks the owner's foreground deletion.</summary>
    public static JsonObject ReferenceTo(JsonObject owner) => new()
    {
        ["apiVersion"] = owner["apiVersion"]?.DeepClone(),
        ["kind"] = owner["kind"]?.DeepClone(),
        ["name"] = owner["metadata"]!["name"]!.DeepClone(),
        ["uid"] = owner["metadata"]!["uid"]!.DeepClone(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>Replaces the reference to <paramref name="uid"/> by one to <paramref name="adopter"/>, or drops it.</summary>
    private Task<JsonObject> SetControllerAsync(JsonObject obj, string uid, JsonObject? adopter, FieldOwner fieldOwner, CancellationToken cancellationToken)
    {
        var metadata = obj["metadata"]!;
        return objects.UpdateObjectAsync(cluster, type, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(), fieldOwner,
            current =>
            {
                var currentMetadata = (JsonObject)current["metadata"]!;
                var kept = (currentMetadata["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
                    .Where(r => r["uid"].AsText() != uid).Select(r => (JsonNode)r.DeepClone()).ToList();
                if (adopter is not null)
                {
                    kept.Add(ReferenceTo(adopter));
                }
                currentMetadata.Remove("ownerReferences");
                if (kept.Count > 0)
                {
                    currentMetadata["ownerReferences"] = new JsonArray([.. kept]);
                }
                return current;
            }, cancellationToken);
    }
}
