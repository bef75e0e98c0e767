using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Store;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    /// <summary>The alphabet kube-apiserver draws generated name suffixes from (no vowels, no look-alikes).</summary>
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private async Task CreateAsync(HttpContext context, string cluster, ResourceType type, string? ns)
    {
        var obj = await ReadBodyAsync(context, type);
        var created = await CreateObjectAsync(cluster, type, ns, obj, IsDryRun(context), context.RequestAborted);
        await KubeResponse.WriteAsync(context, 201, created);
    }

    /// <summary>
    /// Creates an object as the API does for a POST: server-owned metadata set, defaults applied, validated,
    /// its namespace required. Returns the stored object (or, for a dry run, what would be stored).
    /// </summary>
    public async Task<JsonObject> CreateObjectAsync(string cluster, ResourceType type, string? ns, JsonObject obj, bool dryRun, CancellationToken cancellationToken)
    {
        var metadata = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        SetNamespace(type, metadata, ns);
        if (metadata["name"]?.GetValue<string>() is not { Length: > 0 } && metadata["generateName"]?.GetValue<string>() is { Length: > 0 } prefix)
        {
            metadata["name"] = prefix + RandomNumberGenerator.GetString(NameAlphabet, 5);
        }
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Timestamp(time.GetUtcNow());
        foreach (var systemField in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generation" })
        {
            metadata.Remove(systemField);
        }
        if (type.Strategy.HasStatus)
        {
            obj["status"] = new JsonObject(); // status is the controllers' to write
        }
        if (type.Strategy.TracksGeneration)
        {
            metadata["generation"] = 1;
        }
        var name = PrepareAndValidate(type, obj, old: null);
        if (ns is not null)
        {
            await RequireNamespaceAsync(cluster, ns, cancellationToken);
        }
        if (dryRun)
        {
            return obj;
        }
        try
        {
            var entry = await store.CreateAsync(ObjectStorage.Key(cluster, type, ns, name), ObjectStorage.Encode(obj), cancellationToken);
            return ObjectStorage.Stamp(obj, entry);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
        {
            throw KubeApiException.AlreadyExists(type.Plural, name);
        }
    }

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
        // Without a resourceVersion the update is unconditional, yet it is made against a fresh read, so the
        // stored status and generation it keeps cannot be older than the object it replaces.
        var replaced = await GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: true,
            _ => ((JsonObject)obj.DeepClone(), stated), context.RequestAborted);
        await KubeResponse.WriteAsync(context, 200, replaced);
    }

    /// <summary>
    /// Stores <paramref name="obj"/> in place of <paramref name="existing"/>: the server-owned fields kept as
    /// stored (the status too, unless this is a write of the status), defaults applied, the generation
    /// advanced when the spec changed, validated, and guarded by <paramref name="expected"/> when given.
    /// </summary>
    private async Task<JsonObject> ReplaceObjectAsync(string cluster, ResourceType type, string? ns, JsonObject existing,
        JsonObject obj, long? expected, bool dryRun, bool keepStatus, CancellationToken cancellationToken)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var name = metadata["name"]!.GetValue<string>();
        var old = (JsonObject)existing["metadata"]!;
        SetNamespace(type, metadata, ns);
        metadata["uid"] = old["uid"]?.DeepClone();
        metadata["creationTimestamp"] = old["creationTimestamp"]?.DeepClone();
        if (type.Strategy.HasStatus && keepStatus)
        {
            obj["status"] = existing["status"]?.DeepClone();
        }
        PrepareAndValidate(type, obj, existing);
        if (type.Strategy.TracksGeneration)
        {
            var generation = old["generation"]?.GetValue<long>() ?? 1;
            var unchanged = JsonNode.DeepEquals(obj["spec"], existing["spec"])
                && (!type.Strategy.GenerationCountsAnnotations || JsonNode.DeepEquals(metadata["annotations"], old["annotations"]));
            metadata["generation"] = unchanged ? generation : generation + 1;
        }
        else
        {
            metadata.Remove("generation");
        }
        if (dryRun)
        {
            return obj;
        }
        try
        {
            var entry = await store.UpdateAsync(ObjectStorage.Key(cluster, type, ns, name), ObjectStorage.Encode(obj), expected, cancellationToken);
            return ObjectStorage.Stamp(obj, entry);
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

    private async Task DeleteAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name)
    {
        if (type.Kind == "Namespace" && NamespaceStrategy.SystemNamespaces.Contains(name))
        {
            throw new KubeApiException(403, "Forbidden", $"namespaces \"{name}\" is forbidden: this namespace may not be deleted",
                new JsonObject { ["name"] = name, ["kind"] = "namespaces" });
        }
        var existing = await RequireAsync(cluster, type, ns, name, context.RequestAborted);
        if (IsDryRun(context))
        {
            await KubeResponse.WriteAsync(context, 200, existing);
            return;
        }
        if (type.Kind == "Namespace")
        {
            await DeleteNamespaceContentsAsync(cluster, name, context.RequestAborted);
        }
        try
        {
            // Unguarded, as a delete without preconditions is: a write in between does not make it fail.
            var deleted = await store.DeleteAsync(ObjectStorage.Key(cluster, type, ns, name), null, context.RequestAborted);
            await KubeResponse.WriteAsync(context, 200, ObjectStorage.Decode(deleted));
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
        {
            throw KubeApiException.NotFound(type.Plural, name);
        }
    }

    /// <summary>Removes everything in a namespace before the namespace itself goes.</summary>
    private async Task DeleteNamespaceContentsAsync(string cluster, string ns, CancellationToken cancellationToken)
    {
        foreach (var type in registry.Types.Where(t => t.Namespaced))
        {
            var contents = await store.ListAsync(ObjectStorage.Prefix(cluster, type, ns), cancellationToken: cancellationToken);
            foreach (var entry in contents.Items)
            {
                try
                {
                    await store.DeleteAsync(entry.Key, null, cancellationToken);
                }
                catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
                {
                    // deleted by someone else meanwhile: the goal is reached
                }
            }
        }
    }

    private async Task RequireNamespaceAsync(string cluster, string ns, CancellationToken cancellationToken)
    {
        var namespaces = registry.Find("", "v1", "namespaces")!;
        if (await ReadAsync(cluster, namespaces, null, ns, cancellationToken) is null)
        {
            throw KubeApiException.NotFound("namespaces", ns);
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

    /// <summary>Reads and checks a request body: one JSON object of this kind, at most 3 MiB.</summary>
    private static async Task<JsonObject> ReadBodyAsync(HttpContext context, ResourceType type)
    {
        var contentType = context.Request.ContentType ?? "application/json";
        if (!contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new KubeApiException(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json");
        }
        var obj = ParseJson(await ReadBodyBytesAsync(context)) as JsonObject
            ?? throw KubeApiException.BadRequest("the body of the request was not a JSON object");
        var kind = obj["kind"].AsText();
        var apiVersion = obj["apiVersion"].AsText();
        if (string.IsNullOrEmpty(kind))
        {
            throw KubeApiException.BadRequest("Object 'Kind' is missing in the request body");
        }
        if (kind != type.Kind || apiVersion != type.ApiVersion)
        {
            throw KubeApiException.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})".Replace(
                    "()", "(<none>)", StringComparison.Ordinal) + (kind != type.Kind ? $"; kind {kind} is not {type.Kind}" : ""));
        }
        FieldValidation.Decode(context, type, obj);
        if (obj["metadata"] is not JsonObject)
        {
            obj["metadata"] = new JsonObject();
        }
        return obj;
    }

    /// <summary>Parses a JSON body; a duplicated field is refused here, as kube-apiserver's strict decoder refuses it.</summary>
    private static JsonNode ParseJson(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })
                ?? throw KubeApiException.BadRequest("the body of the request is null");
        }
        catch (JsonException e)
        {
            throw KubeApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
        }
    }

    /// <summary>The request body, refused with 413 past 3 MiB as kube-apiserver refuses it.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyBytesAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw TooLarge();
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static KubeApiException TooLarge() =>
        new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {MaxBodyBytes}");

    private static bool IsDryRun(HttpContext context) => context.Request.Query["dryRun"].Contains("All");

    private static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
