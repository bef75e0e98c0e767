using System.Text.Json.Nodes;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    /// <summary>
    /// <c>…/status</c>: reads the whole object; writes change only its status, which writes to the object
    /// itself leave alone.
    /// </summary>
    private async Task StatusAsync(HttpContext context, string cluster, ResourceType type, string? ns, RequestInfo request)
    {
        var name = request.Name!;
        JsonObject result;
        switch (request.Verb)
        {
            case "get":
                result = await RequireAsync(cluster, type, ns, name, context.RequestAborted);
                break;
            case "update":
                var body = await ReadBodyAsync(context, type);
                var stated = body["metadata"]?["resourceVersion"].AsText();
                result = await GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: false,
                    FieldOwner.FromRequest(context, "status", "UpdateOptions", apply: false),
                    existing => (WithStatus(existing, body["status"]), stated is { Length: > 0 } ? ParseRevision(stated) : null),
                    context.RequestAborted);
                break;
            case "patch":
                var (contentType, patch) = await ReadPatchAsync(context, applyAllowed: true);
                if (contentType == ApplyPatchType)
                {
                    result = await ApplyStatusAsync(context, cluster, type, ns, name, patch);
                    break;
                }
                result = await GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: false,
                    FieldOwner.FromRequest(context, "status", "PatchOptions", apply: false),
                    existing => (WithStatus(existing, ApplyPatch(type, contentType, patch, (JsonObject)existing.DeepClone())["status"]), null),
                    context.RequestAborted);
                break;
            default:
                throw KubeApiException.MethodNotSupported($"{type.Plural}/status", request.Verb);
        }
        await KubeResponse.WriteAsync(context, 200, result);
    }

    /// <summary>
    /// Server-side apply of a status, as controllers apply theirs: the configuration's status merged by field
    /// ownership among the status's managers; the rest of the configuration is ignored.
    /// </summary>
    private Task<JsonObject> ApplyStatusAsync(HttpContext context, string cluster, ResourceType type, string? ns, string name, JsonNode patch)
    {
        var (config, owner, force) = ReadApplyConfiguration(context, type, patch, "status");
        return GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: false, owner, existing =>
        {
            var applied = FieldManager.Apply(type, (JsonObject)existing.DeepClone(), (JsonObject)config.DeepClone(), owner, force, time.GetUtcNow());
            var metadata = (JsonObject)existing["metadata"]!;
            metadata.Remove("managedFields");
            if (applied["metadata"]?["managedFields"] is { } managed)
            {
                metadata["managedFields"] = managed.DeepClone();
            }
            var precondition = PatchPrecondition(type, name, applied, existing);
            return (WithStatus(existing, applied["status"]), precondition);
        }, context.RequestAborted);
    }

    /// <summary>
    /// <c>…/scale</c>: an autoscaling/v1 Scale over the object's <c>spec.replicas</c>, as <c>kubectl scale</c>
    /// and the HorizontalPodAutoscaler use it.
    /// </summary>
    private async Task ScaleAsync(HttpContext context, string cluster, ResourceType type, string? ns, RequestInfo request, ScaleSpec scale)
    {
        var name = request.Name!;
        JsonObject result;
        switch (request.Verb)
        {
            case "get":
                result = await RequireAsync(cluster, type, ns, name, context.RequestAborted);
                break;
            case "update":
                var body = ParseJson(await ReadBodyBytesAsync(context)) as JsonObject ?? throw KubeApiException.BadRequest("a Scale must be a JSON object");
                var stated = body["metadata"]?["resourceVersion"].AsText();
                result = await GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: true,
                    FieldOwner.FromRequest(context, "scale", "UpdateOptions", apply: false),
                    existing => (WithReplicas(existing, body), stated is { Length: > 0 } ? ParseRevision(stated) : null),
                    context.RequestAborted);
                break;
            case "patch":
                var (contentType, patch) = await ReadPatchAsync(context);
                result = await GuaranteedUpdateAsync(cluster, type, ns, name, IsDryRun(context), keepStatus: true,
                    FieldOwner.FromRequest(context, "scale", "PatchOptions", apply: false),
                    existing => (WithReplicas(existing, ApplyPatch(type, contentType, patch, ScaleOf(existing, scale))), null),
                    context.RequestAborted);
                break;
            default:
                throw KubeApiException.MethodNotSupported($"{type.Plural}/scale", request.Verb);
        }
        await KubeResponse.WriteAsync(context, 200, ScaleOf(result, scale));
    }

    /// <summary>The object's Scale, read in process as a controller's scale client reads it; null when the object is gone.</summary>
    public async Task<JsonObject?> GetScaleAsync(string cluster, ResourceType type, string? ns, string name, CancellationToken cancellationToken) =>
        type.Strategy.Scale is { } scale && await ReadAsync(cluster, type, ns, name, cancellationToken) is { } obj ? ScaleOf(obj, scale) : null;

    /// <summary>Sets the object's replicas through its <c>scale</c> subresource, in process; answers the new Scale.</summary>
    public async Task<JsonObject> UpdateScaleAsync(string cluster, ResourceType type, string? ns, string name, int replicas, FieldOwner owner,
        CancellationToken cancellationToken)
    {
        var scale = type.Strategy.Scale ?? throw KubeApiException.UnknownResource();
        var body = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } };
        var result = await GuaranteedUpdateAsync(cluster, type, ns, name, dryRun: false, keepStatus: true, owner with { Subresource = "scale" },
            existing => (WithReplicas(existing, body), null), cancellationToken);
        return ScaleOf(result, scale);
    }

    private static JsonObject WithStatus(JsonObject obj, JsonNode? status)
    {
        obj["status"] = status?.DeepClone();
        return obj;
    }

    private static JsonObject WithReplicas(JsonObject obj, JsonObject scale)
    {
        var replicas = scale["spec"]?["replicas"];
        if (replicas is not JsonValue value || !value.TryGetValue<int>(out var count) || count < 0)
        {
            throw KubeApiException.Invalid("Scale", "autoscaling", obj["metadata"]!["name"]!.GetValue<string>(),
                [new FieldError("spec.replicas", "FieldValueInvalid", $"Invalid value: {replicas?.ToJsonString() ?? "null"}: must be greater than or equal to 0")]);
        }
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["replicas"] = count;
        return obj;
    }

    private static JsonObject ScaleOf(JsonObject obj, ScaleSpec scale)
    {
        var metadata = obj["metadata"]!;
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.DeepClone() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = obj["status"]?[scale.StatusReplicasField]?.DeepClone() ?? 0,
                ["selector"] = LabelSelector.Format(obj["spec"]?["selector"]),
            },
        };
    }
}
