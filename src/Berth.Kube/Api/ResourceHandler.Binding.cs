using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Resources.Core;
using Berth.Kube.Schema;
using Berth.Store;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    private static readonly Lazy<TypeSchema> s_binding = new(() =>
        ClientModelSchemas.Shared.ForKind("", "v1", "Binding") ?? throw new InvalidOperationException("No model schema for Binding."));

    /// <summary>
    /// <c>pods/{name}/binding</c>: assigns a pending pod to a node, as the scheduler does. Only a create is served;
    /// the pod must not be assigned yet, and kube-apiserver's messages are kept for the refusals.
    /// </summary>
    private async Task BindingAsync(HttpContext context, string cluster, string ns, RequestInfo request)
    {
        if (request.Verb != "create")
        {
            throw KubeApiException.MethodNotSupported("pods/binding", request.Verb);
        }
        var binding = await ReadBodyAsync(context, s_binding.Value, "v1", "v1", "Binding");
        var name = request.Name!;
        if (binding["metadata"]?["name"].AsText() != name)
        {
            throw KubeApiException.BadRequest("name in URL does not match name in Binding object");
        }
        var target = binding["target"] as JsonObject;
        var errors = new List<FieldError>();
        if (target?["kind"].AsText() is { Length: > 0 } kind && kind != "Node")
        {
            errors.Add(FieldError.NotSupported("target.kind", kind, ["Node", "<empty>"]));
        }
        var node = target?["name"].AsText();
        if (string.IsNullOrEmpty(node))
        {
            errors.Add(FieldError.Required("target.name"));
        }
        if (errors.Count > 0)
        {
            throw KubeApiException.Invalid("Binding", "", name, errors);
        }
        if (!IsDryRun(context))
        {
            await BindPodAsync(cluster, ns, name, node!, binding["metadata"]?["annotations"] as JsonObject, context.RequestAborted);
        }
        await KubeResponse.WriteAsync(context, 201, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["code"] = 201,
        });
    }

    /// <summary>
    /// Sets a pod's <c>spec.nodeName</c>, adds the binding's annotations and marks it <c>PodScheduled</c>, straight
    /// in storage as kube-apiserver's binding does: the node name is otherwise immutable, so the pod update rules
    /// do not apply here.
    /// </summary>
    public async Task BindPodAsync(string cluster, string ns, string name, string node, JsonObject? annotations, CancellationToken cancellationToken)
    {
        var pods = registry.Find("", "v1", "pods")!;
        while (true)
        {
            var existing = await RequireAsync(cluster, pods, ns, name, cancellationToken);
            if (existing["spec"]?["nodeName"].AsText() is { Length: > 0 } assigned)
            {
                throw KubeApiException.Conflict("pods/binding", name, $"pod {name} is already assigned to node \"{assigned}\"");
            }
            if (existing["metadata"]?["deletionTimestamp"] is not null)
            {
                throw KubeApiException.Conflict("pods/binding", name, $"pod {name} is being deleted, cannot be assigned to a host");
            }
            var pod = (JsonObject)existing.DeepClone();
            ((JsonObject)pod["spec"]!)["nodeName"] = node;
            if (annotations is { Count: > 0 })
            {
                var metadata = (JsonObject)pod["metadata"]!;
                var own = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
                foreach (var (key, value) in annotations)
                {
                    own[key] = value?.DeepClone();
                }
            }
            PodConditions.Set(pod, PodConditions.PodScheduled, "True", null, null, time.GetUtcNow());
            var revision = long.Parse(existing["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            try
            {
                await store.UpdateAsync(ObjectStorage.Key(cluster, pods, ns, name), ObjectStorage.Encode(pods, pod), revision, cancellationToken);
                return;
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.Conflict)
            {
                // the pod changed since it was read (its status, say): bind the newer copy
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
            {
                throw KubeApiException.NotFound("pods", name);
            }
        }
    }
}
