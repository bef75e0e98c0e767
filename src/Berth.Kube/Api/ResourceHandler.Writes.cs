using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Store;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    /// <summary>The alphabet kube-apiserver draws generated name suffixes from (no vowels, no look-alikes).</summary>
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>How many names a create with <c>generateName</c> draws before it answers AlreadyExists.</summary>
    private const int GenerateNameAttempts = 8;

    private async Task CreateAsync(HttpContext context, string cluster, ResourceType type, string? ns)
    {
        var obj = await ReadBodyAsync(context, type);
        var owner = FieldOwner.FromRequest(context, null, "CreateOptions", apply: false);
        var created = await CreateObjectAsync(cluster, type, ns, obj, owner, IsDryRun(context), context.RequestAborted);
        await KubeResponse.WriteAsync(context, 201, created);
    }

    /// <summary>
    /// Creates an object as the API does for a POST: server-owned metadata set, defaults applied, validated,
    /// its namespace required. Returns the stored object (or, for a dry run, what would be stored).
    /// </summary>
    public async Task<JsonObject> CreateObjectAsync(string cluster, ResourceType type, string? ns, JsonObject obj, FieldOwner owner, bool dryRun,
        CancellationToken cancellationToken)
    {
        var metadata = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        SetNamespace(type, metadata, ns);
        var generated = metadata["name"].AsText() is not { Length: > 0 } && metadata["generateName"].AsText() is { Length: > 0 };
        if (generated)
        {
            metadata["name"] = GenerateName(metadata);
        }
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Timestamp(time.GetUtcNow());
        foreach (var systemField in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generation" })
        {
            metadata.Remove(systemField);
        }
        if (type.Strategy.HasStatus && !type.Strategy.CreateKeepsStatus)
        {
            obj["status"] = new JsonObject(); // status is the controllers' to write
        }
        if (type.Strategy.TracksGeneration)
        {
            metadata["generation"] = 1;
        }
        if (type is { Group: "", Plural: "pods" })
        {
            await AdmitPriorityAsync(cluster, obj, cancellationToken);
            foreach (var admission in _podAdmissions)
            {
                await admission.AdmitAsync(cluster, obj, cancellationToken);
            }
        }
        var name = PrepareAndValidate(type, obj, old: null);
        FieldManager.RecordUpdate(type, null, obj, owner, time.GetUtcNow());
        if (ns is not null)
        {
            await RequireNamespaceAsync(cluster, type, ns, name, cancellationToken);
        }
        if (dryRun)
        {
            return obj;
        }
        var allocator = AllocatorOf(type);
        var allocation = allocator is null ? Allocation.None : await allocator.AllocateAsync(cluster, obj, null, cancellationToken);
        try
        {
            return await StoreNewAsync(cluster, type, ns, obj, generated, cancellationToken);
        }
        catch when (allocator is not null)
        {
            await allocator.RollbackAsync(allocation, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Creates the object in the store; a generated name that is taken is drawn again, as kube-apiserver does.</summary>
    private async Task<JsonObject> StoreNewAsync(string cluster, ResourceType type, string? ns, JsonObject obj, bool generated, CancellationToken cancellationToken)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var name = metadata["name"]!.GetValue<string>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var entry = await store.CreateAsync(ObjectStorage.Key(cluster, type, ns, name), ObjectStorage.Encode(type, obj), cancellationToken);
                return ObjectStorage.Stamp(obj, entry);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists && generated && attempt < GenerateNameAttempts)
            {
                name = GenerateName(metadata);
                metadata["name"] = name;
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
            {
                throw KubeApiException.AlreadyExists(type.Plural, name);
            }
        }
    }

    private static string GenerateName(JsonObject metadata) =>
        metadata["generateName"]!.GetValue<string>() + RandomNumberGenerator.GetString(NameAlphabet, 5);

    private async Task UpdateAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name)
    {
        var obj = await ReadBodyAsync(context, type);
        var metadata = (JsonObject)obj["metadata"]!;
        SetNamespace(type, metadata, ns);
        if (metadata["name"]?.GetValue<string>() is { } bodyName && bodyName != name)
        {
            throw KubeApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
        metadata["name"] = name;
        long? stated = metadata["resourceVersion"].AsText() is { Length: > 0 } rv ? ParseRevision(rv) : null;
        var owner = FieldOwner.FromRequest(context, null, "UpdateOptions", apply: false);
        // Without a resourceVersion the update is unconditional, yet it is made against a fresh read, so the
        // stored status and generation it keeps cannot be older than the object it replaces.
        var replaced = await GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: true, owner,
            _ => ((JsonObject)obj.DeepClone(), stated), context.RequestAborted);
        await KubeResponse.WriteAsync(context, 200, replaced);
    }

    /// <summary>
    /// Stores <paramref name="obj"/> in place of <paramref name="existing"/>: the server-owned fields kept as
    /// stored (the status too, unless this is a write of the status), defaults applied, the generation
    /// advanced when the spec changed, validated, its managed fields recorded, and guarded by <paramref name="expected"/>
    /// when given. A write that changes nothing is not stored, so it makes no new resourceVersion and no watch event.
    /// </summary>
    private async Task<JsonObject> ReplaceObjectAsync(string cluster, ResourceType type, string? ns, JsonObject existing,
        JsonObject obj, long? expected, bool dryRun, bool keepStatus, FieldOwner owner, CancellationToken cancellationToken)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var name = metadata["name"]!.GetValue<string>();
        var old = (JsonObject)existing["metadata"]!;
        SetNamespace(type, metadata, ns);
        metadata["uid"] = old["uid"]?.DeepClone();
        metadata["creationTimestamp"] = old["creationTimestamp"]?.DeepClone();
        foreach (var field in new[] { "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            // the server's to set: kept as stored, absent when not stored
            metadata.Remove(field);
            if (old[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }
        if (old["deletionTimestamp"] is not null
            && Finalizers(metadata).Except(Finalizers(old)).ToList() is { Count: > 0 } added)
        {
            throw KubeApiException.Invalid(type.Kind, type.Group, name, [new FieldError("metadata.finalizers", "FieldValueForbidden",
                $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(f => $"\"{f}\""))}}}")]);
        }
        if (type.Strategy.HasStatus && keepStatus)
        {
            obj["status"] = existing["status"]?.DeepClone();
        }
        type.Strategy.PrepareForUpdate(obj, existing);
        PrepareAndValidate(type, obj, existing);
        if (type.Strategy.TracksGeneration)
        {
            var generation = old["generation"]?.GetValue<long>() ?? 1;
            // a status write never moves the generation: the status strategies keep the spec as stored
            var unchanged = !keepStatus || JsonNode.DeepEquals(obj["spec"], existing["spec"])
                && (!type.Strategy.GenerationCountsAnnotations || JsonNode.DeepEquals(metadata["annotations"], old["annotations"]));
            metadata["generation"] = unchanged ? generation : generation + 1;
        }
        else
        {
            metadata.Remove("generation");
        }
        FieldManager.RecordUpdate(type, existing, obj, owner, time.GetUtcNow());
        if (dryRun)
        {
            return obj;
        }
        var allocator = AllocatorOf(type);
        if (metadata["deletionTimestamp"] is not null && Finalizers(metadata).Count == 0
            && (metadata["deletionGracePeriodSeconds"].AsLong() ?? 0) == 0
            && (type.Kind != "Namespace" || NamespaceFinalizers(obj).Count == 0))
        {
            // the last finalizer is gone and no grace period runs: the deletion they held completes
            await RemoveAsync(cluster, type, ns, name, expected, cancellationToken);
            return obj;
        }
        if (IsUnchanged(existing, obj, expected))
        {
            return existing;
        }
        var allocation = allocator is null ? Allocation.None : await allocator.AllocateAsync(cluster, obj, existing, cancellationToken);
        StoreEntry entry;
        try
        {
            entry = await store.UpdateAsync(ObjectStorage.Key(cluster, type, ns, name), ObjectStorage.Encode(type, obj), expected, cancellationToken);
        }
        catch (StoreException e)
        {
            if (allocator is not null)
            {
                await allocator.RollbackAsync(allocation, CancellationToken.None);
            }
            throw e.Code switch
            {
                StoreErrorCode.Conflict => KubeApiException.Conflict(type.Plural, name),
                StoreErrorCode.KeyNotFound => KubeApiException.NotFound(type.Plural, name),
                _ => e,
            };
        }
        if (allocator is not null)
        {
            await allocator.CommitAsync(allocation, cancellationToken);
        }
        return ObjectStorage.Stamp(obj, entry);
    }

    /// <summary>
    /// The replacement is the stored object as it is, and the write's precondition (if any) holds, so kube-apiserver
    /// would answer with the stored object without writing.
    /// </summary>
    private static bool IsUnchanged(JsonObject existing, JsonObject replacement, long? expected)
    {
        var stored = existing["metadata"]!["resourceVersion"].AsText();
        if (expected is { } revision && revision.ToString(CultureInfo.InvariantCulture) != stored)
        {
            return false;
        }
        // compared with the stored resourceVersion put in for the moment, rather than on a copy of the whole object
        var metadata = (JsonObject)replacement["metadata"]!;
        var had = metadata.TryGetPropertyValue("resourceVersion", out var given);
        metadata["resourceVersion"] = stored;
        try
        {
            return JsonNode.DeepEquals(replacement, existing);
        }
        finally
        {
            if (had)
            {
                metadata["resourceVersion"] = given;
            }
            else
            {
                metadata.Remove("resourceVersion");
            }
        }
    }

    /// <summary>Removes an object from the store, guarded by <paramref name="expected"/>, and gives back what it held.</summary>
    private async Task<JsonObject> RemoveAsync(string cluster, ResourceType type, string? ns, string name, long? expected, CancellationToken cancellationToken)
    {
        StoreEntry deleted;
        try
        {
            deleted = await store.DeleteAsync(ObjectStorage.Key(cluster, type, ns, name), expected, cancellationToken);
        }
        catch (StoreException e) when (e.Code is StoreErrorCode.Conflict or StoreErrorCode.KeyNotFound)
        {
            throw e.Code == StoreErrorCode.Conflict ? KubeApiException.Conflict(type.Plural, name) : KubeApiException.NotFound(type.Plural, name);
        }
        var obj = ObjectStorage.Decode(type, deleted);
        if (AllocatorOf(type) is { } allocator)
        {
            await allocator.ReleaseAsync(cluster, obj, CancellationToken.None);
        }
        return obj;
    }

    private IObjectAllocator? AllocatorOf(ResourceType type) => _allocators.FirstOrDefault(a => a.Handles(type));

    /// <summary>A new object's namespace must exist, and not be on its way out; the store decides whenever the lister is not sure.</summary>
    private async Task RequireNamespaceAsync(string cluster, ResourceType type, string ns, string name, CancellationToken cancellationToken)
    {
        if (namespaceLister.IsKnownActive(cluster, ns))
        {
            return;
        }
        var namespaces = registry.Find("", "v1", "namespaces")!;
        var found = await ReadAsync(cluster, namespaces, null, ns, cancellationToken) ?? throw KubeApiException.NotFound("namespaces", ns);
        if (found["metadata"]?["deletionTimestamp"] is not null)
        {
            throw new KubeApiException(403, "Forbidden",
                $"{type.Plural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                new JsonObject
                {
                    ["name"] = name,
                    ["kind"] = type.Plural,
                    ["causes"] = new JsonArray(new JsonObject
                    {
                        ["reason"] = "NamespaceTerminating",
                        ["message"] = $"namespace {ns} is being terminated",
                        ["field"] = "metadata.namespace",
                    }),
                });
        }
    }

    private static string PrepareAndValidate(ResourceType type, JsonObject obj, JsonObject? old)
    {
        type.Strategy.ApplyDefaults(obj);
        var errors = (old is null ? type.Strategy.Validate(obj) : type.Strategy.ValidateUpdate(obj, old)).ToList();
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
        if (errors.Count > 0)
        {
            throw KubeApiException.Invalid(type.Kind, type.Group, name, errors);
        }
        return name;
    }

    private static void SetNamespace(ResourceType type, JsonObject metadata, string? ns)
    {
        if (!type.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }
        if (metadata["namespace"]?.GetValue<string>() is { Length: > 0 } given && given != ns)
        {
            throw KubeApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        metadata["namespace"] = ns;
    }

    private static bool IsDryRun(HttpContext context) => context.Request.Query["dryRun"].Contains("All");

    private static string Timestamp(DateTimeOffset at) => KubeTime.Format(at);
}
