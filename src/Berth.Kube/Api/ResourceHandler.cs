using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Authentication;
using Berth.Kube.Authorization;
using Berth.Kube.Kubelet;
using Berth.Kube.Resources;
using Berth.Store;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>The generic REST verbs over the store, for every served resource; kinds differ only in their strategy.</summary>
internal sealed partial class ResourceHandler(IStore store, ResourceRegistry registry, IEnumerable<IObjectAllocator> allocators,
    RbacAuthorizer authorizer, ServiceAccountTokens tokens, WatchProgress progress, NamespaceLister namespaceLister, PriorityClassLister priorityClasses,
    KubeletConnections kubelets, IEnumerable<IComputedObjects> computed, IEnumerable<Clusters.IPodAdmission> podAdmissions, TimeProvider time)
{
    private readonly IObjectAllocator[] _allocators = [.. allocators];
    private readonly IComputedObjects[] _computed = [.. computed];
    private readonly Clusters.IPodAdmission[] _podAdmissions = [.. podAdmissions];

    private const int MaxBodyBytes = 3 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context, string cluster, RequestInfo request)
    {
        var type = registry.Find(request.Group, request.Version, request.Resource)
            ?? throw KubeApiException.UnknownResource();
        var ns = type.Namespaced ? request.Namespace : null;
        CheckShape(type, request, ns);
        if (ns is not null && !IsStorableName(ns))
        {
            // No such namespace can exist: nothing is in it, as kube-apiserver answers for a missing one.
            throw request.Verb is "list" or "watch" ? KubeApiException.NotFound("namespaces", ns) : KubeApiException.NotFound(type.Plural, request.Name ?? "");
        }
        if (type.Strategy.CreateOnly)
        {
            await ReviewAsync(context, type, ns, request);
            return;
        }
        if (type.Strategy.Computed)
        {
            await ComputedAsync(context, cluster, type, ns, request);
            return;
        }
        switch (request.Subresource)
        {
            case null:
                break;
            case "status" when type.Strategy.HasStatus:
                await StatusAsync(context, cluster, type, ns, request);
                return;
            case "token" when type.Group.Length == 0 && type.Kind == "ServiceAccount" && ns is not null:
                await TokenAsync(context, cluster, type, ns, request);
                return;
            case "log" or "exec" or "portforward" when type.Group.Length == 0 && type.Kind == "Pod" && ns is not null:
                await ConnectAsync(context, cluster, type, ns, request);
                return;
            case "eviction" when type.Group.Length == 0 && type.Kind == "Pod" && ns is not null:
                await EvictionAsync(context, cluster, type, ns, request);
                return;
            case "binding" when type.Group.Length == 0 && type.Kind == "Pod" && ns is not null:
                await BindingAsync(context, cluster, ns, request);
                return;
            case "scale" when type.Strategy.Scale is { } scale:
                await ScaleAsync(context, cluster, type, ns, request, scale);
                return;
            default:
                throw KubeApiException.UnknownResource();
        }
        switch (request.Verb)
        {
            case "get":
                await GetAsync(context, cluster, type, ns, request.Name!);
                break;
            case "list":
                await ListAsync(context, cluster, type, ns);
                break;
            case "watch":
                await WatchAsync(context, cluster, type, ns);
                break;
            case "create":
                await CreateAsync(context, cluster, type, ns);
                break;
            case "update":
                await UpdateAsync(context, cluster, type, ns, request.Name!);
                break;
            case "patch":
                await PatchAsync(context, cluster, type, ns, request.Name!);
                break;
            case "delete":
                await DeleteAsync(context, cluster, type, ns, request.Name!);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(context, cluster, type, ns);
                break;
            default:
                throw KubeApiException.MethodNotSupported(type.Plural, request.Verb);
        }
    }

    /// <summary>
    /// Refuses what kube-apiserver has no route for: a namespaced kind outside a namespace except to list
    /// or watch, a POST to a named object, a PUT or PATCH of a whole collection.
    /// </summary>
    private static void CheckShape(ResourceType type, RequestInfo request, string? ns)
    {
        if (type.Namespaced && ns is null && request.Verb is not ("list" or "watch"))
        {
            throw request.Verb == "create" ? KubeApiException.MethodNotSupported(type.Plural, "create") : KubeApiException.UnknownResource();
        }
        if ((request.Verb == "create" && request.Name is not null && request.Subresource is null)
            || (request.Verb is "update" or "patch" && request.Name is null))
        {
            throw KubeApiException.MethodNotSupported(type.Plural, request.Verb);
        }
    }

    private async Task GetAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name)
    {
        var obj = await RequireAsync(cluster, type, ns, name, context.RequestAborted);
        JsonNode body = KubeResponse.WantsTable(context)
            ? TablePrinter.Print(type, [obj], null, null, time.GetUtcNow())
            : obj;
        await KubeResponse.WriteAsync(context, 200, body);
    }

    private async Task ListAsync(HttpContext context, string cluster, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], type.Strategy.FieldLabels, type.Strategy.FieldLabelDefaults);
        var limit = ParseInt(query["limit"], "limit");
        var (exact, atLeast) = ListRevision(query, limit > 0);
        var result = await Translate(() => store.ListAsync(ObjectStorage.Prefix(cluster, type, ns),
            new ListOptions(limit, NullIfEmpty(query["continue"]), exact), context.RequestAborted));
        if (atLeast > result.Revision)
        {
            throw KubeApiException.TooLargeResourceVersion(atLeast, result.Revision);
        }
        var resourceVersion = result.Revision.ToString(CultureInfo.InvariantCulture);
        if (!KubeResponse.WantsTable(context) && labels.IsEmpty && fields.IsEmpty && type.StoredAs is null)
        {
            await WriteStoredListAsync(context, type, result, resourceVersion);
            return;
        }
        var items = result.Items.Select(e => ObjectStorage.Decode(type, e)).Where(o => labels.Matches(o) && fields.Matches(o)).ToList();
        await WriteListAsync(context, type, items, resourceVersion, result.Continue);
    }

    /// <summary>A list of decoded objects, as a Table when one is asked for.</summary>
    private async Task WriteListAsync(HttpContext context, ResourceType type, List<JsonObject> items, string? resourceVersion, string? continueToken)
    {
        if (KubeResponse.WantsTable(context))
        {
            await KubeResponse.WriteAsync(context, 200, TablePrinter.Print(type, items, resourceVersion, continueToken, time.GetUtcNow()));
            return;
        }
        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }
        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }
        foreach (var item in items)
        {
            // Items of a typed list carry no type of their own, as kube-apiserver sends them.
            item.Remove("kind");
            item.Remove("apiVersion");
        }
        await KubeResponse.WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. items]),
        });
    }

    /// <summary>
    /// A list nothing filters or converts, written item by item from the stored bytes and sent as it is written,
    /// so that listing ten thousand objects neither parses them nor holds the whole answer in memory.
    /// </summary>
    private static async Task WriteStoredListAsync(HttpContext context, ResourceType type, ListResult result, string resourceVersion)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await using var writer = new System.Text.Json.Utf8JsonWriter(context.Response.BodyWriter, KubeResponse.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("kind", type.ListKind);
        writer.WriteString("apiVersion", type.ApiVersion);
        writer.WriteStartObject("metadata");
        writer.WriteString("resourceVersion", resourceVersion);
        if (result.Continue is not null)
        {
            writer.WriteString("continue", result.Continue);
        }
        writer.WriteEndObject();
        writer.WriteStartArray("items");
        long sent = 0;
        foreach (var entry in result.Items)
        {
            ObjectStorage.WriteListItem(writer, entry);
            if (writer.BytesCommitted + writer.BytesPending - sent > 64 * 1024)
            {
                // the writer only hands its bytes to the pipe; flushing the pipe is what sends them
                await writer.FlushAsync(context.RequestAborted);
                await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
                sent = writer.BytesCommitted;
            }
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>The stored object, or the NotFound Kubernetes answers when there is none.</summary>
    private async Task<JsonObject> RequireAsync(string cluster, ResourceType type, string? ns, string name, CancellationToken cancellationToken) =>
        await ReadAsync(cluster, type, ns, name, cancellationToken) ?? throw KubeApiException.NotFound(type.Plural, name);

    private async Task<JsonObject?> ReadAsync(string cluster, ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        if (!IsStorableName(name))
        {
            return null;
        }
        var entry = await Translate(() => store.GetAsync(ObjectStorage.Key(cluster, type, ns, name), 0, cancellationToken));
        return entry is null ? null : ObjectStorage.Decode(type, entry);
    }

    /// <summary>
    /// The revision a list reads at: <c>resourceVersionMatch=Exact</c> (or a limit without a match) pins it;
    /// otherwise it reads the newest, which must be at least the resourceVersion given.
    /// </summary>
    private static (long Exact, long AtLeast) ListRevision(IQueryCollection query, bool paged)
    {
        var resourceVersion = NullIfEmpty(query["resourceVersion"]);
        var match = NullIfEmpty(query["resourceVersionMatch"]);
        if (NullIfEmpty(query["continue"]) is not null && resourceVersion is not (null or "0"))
        {
            throw KubeApiException.BadRequest("specifying resource version is not allowed when using continue");
        }
        if (match is not null and not ("Exact" or "NotOlderThan"))
        {
            throw KubeApiException.BadRequest($"resourceVersionMatch: Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\"");
        }
        if (resourceVersion is null && match is not null)
        {
            throw KubeApiException.BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
        }
        if (resourceVersion is null or "0")
        {
            if (match == "Exact")
            {
                throw KubeApiException.BadRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
            }
            return (0, 0);
        }
        var revision = ParseRevision(resourceVersion);
        // A paged list at a resourceVersion, with no match given, reads exactly there (the legacy rule).
        return match == "Exact" || (match is null && paged) ? (revision, 0) : (0, revision);
    }

    private static long ParseRevision(string resourceVersion) =>
        long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) && revision > 0
            ? revision
            : throw KubeApiException.BadRequest($"invalid resource version: \"{resourceVersion}\"");

    private static int ParseInt(string? text, string name) =>
        string.IsNullOrEmpty(text) ? 0
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw KubeApiException.BadRequest($"invalid {name}: \"{text}\"");

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>Names Kubernetes could store; anything else cannot exist, so reads of it find nothing.</summary>
    private static bool IsStorableName(string name) =>
        name.Length is > 0 and <= 253 && name.All(c => c is >= '!' and <= '~' and not '/');

    /// <summary>Turns store errors into the API errors Kubernetes gives for them.</summary>
    private static async Task<T> Translate<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.TooOld)
        {
            throw KubeApiException.Gone($"too old resource version: {e.Message}");
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.FutureRevision)
        {
            throw new KubeApiException(504, "Timeout", $"Too large resource version: {e.Message}");
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.InvalidArgument)
        {
            throw KubeApiException.BadRequest(e.Message);
        }
    }
}
