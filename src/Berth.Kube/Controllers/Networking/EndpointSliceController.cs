using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Networking;

/// <summary>
/// Keeps the EndpointSlices of every Service with a selector, as kube-controller-manager's endpointslice controller
/// does: one slice per set of ports (at most 100 endpoints each), named <c>&lt;service&gt;-&lt;random&gt;</c>, labelled
/// <c>kubernetes.io/service-name</c> and owned by the Service; an endpoint per pod with its address, its conditions
/// (ready, serving, terminating), its node and the pod. A Service without a selector keeps the slices its user writes.
/// </summary>
internal sealed class EndpointSliceController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, string cluster,
    TimeProvider time, ILogger<EndpointSliceController> logger) : ServiceEndpointsLoop(informers, registry, cluster, time, logger)
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ManagedBy = "endpointslice-controller.k8s.io";
    private const int MaxEndpoints = 100;

    private ObjectInformer? _slices;

    public override string Name => "endpointslice";

    private ResourceType Slices => Registry.Find("discovery.k8s.io", "v1", "endpointslices")!;

    protected override ObjectInformer WatchOwned(SharedInformers informers, Action<string, string> enqueue) =>
        _slices = informers.Watch(ObjectStorage.Prefix(Cluster, Slices, null), change =>
        {
            var metadata = (change.New ?? change.Old)?["metadata"];
            if (metadata?["labels"]?[ManagedByLabel].AsText() == ManagedBy && metadata["labels"]?[ServiceNameLabel].AsText() is { } service)
            {
                enqueue(metadata["namespace"]!.GetValue<string>(), service);
            }
        });

    protected override async Task ReconcileAsync(string ns, string name, JsonObject? service, IReadOnlyList<JsonObject> pods, CancellationToken cancellationToken)
    {
        var prefix = ObjectStorage.Prefix(Cluster, Slices, ns);
        var existing = _slices!.Objects.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(s => s.Value)
            .Where(s => s["metadata"]?["labels"]?[ServiceNameLabel].AsText() == name && s["metadata"]?["labels"]?[ManagedByLabel].AsText() == ManagedBy)
            .OrderBy(s => s["metadata"]!["name"]!.GetValue<string>(), StringComparer.Ordinal).ToList();
        var wanted = service is not null && ServiceBackends.IsManaged(service) && service["metadata"]?["deletionTimestamp"] is null
            ? ServiceBackends.Compute(service, pods).SelectMany(g => g.Backends.Chunk(MaxEndpoints).Select(chunk => Slice(ns, g.Ports, chunk))).ToList()
            : [];
        if (service is not null && wanted.Count == 0 && ServiceBackends.IsManaged(service))
        {
            wanted.Add(Slice(ns, [], [])); // a Service selecting nothing still has its slice, with no endpoints
        }
        for (var i = 0; i < wanted.Count; i++)
        {
            if (i < existing.Count)
            {
                var current = existing[i];
                if (!JsonNode.DeepEquals(current["endpoints"], wanted[i]["endpoints"]) || !JsonNode.DeepEquals(current["ports"], wanted[i]["ports"]))
                {
                    await objects.UpdateObjectAsync(Cluster, Slices, ns, current["metadata"]!["name"]!.GetValue<string>(), FieldOwner.ControllerManager, updated =>
                    {
                        updated["endpoints"] = wanted[i]["endpoints"]!.DeepClone();
                        updated["ports"] = wanted[i]["ports"]!.DeepClone();
                        return updated;
                    }, cancellationToken);
                }
                continue;
            }
            var slice = wanted[i];
            slice["metadata"] = Metadata(service!, name);
            await objects.CreateObjectAsync(Cluster, Slices, ns, slice, FieldOwner.ControllerManager, dryRun: false, cancellationToken);
        }
        foreach (var surplus in existing.Skip(wanted.Count))
        {
            try
            {
                await objects.DeleteObjectAsync(Cluster, Slices, ns, surplus["metadata"]!["name"]!.GetValue<string>(), DeleteOptions.Default, cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason == "NotFound")
            {
                // deleted meanwhile
            }
        }
    }

    private static JsonObject Slice(string ns, IReadOnlyList<BackendPort> ports, IReadOnlyList<Backend> backends) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["addressType"] = "IPv4",
        ["endpoints"] = new JsonArray([.. backends.Select(b => (JsonNode)Endpoint(ns, b))]),
        ["ports"] = new JsonArray([.. ports.Select(p => (JsonNode)Port(p))]),
    };

    private static JsonObject Endpoint(string ns, Backend backend)
    {
        var endpoint = new JsonObject
        {
            ["addresses"] = new JsonArray(backend.Ip),
            ["conditions"] = new JsonObject { ["ready"] = backend.Ready, ["serving"] = backend.Serving, ["terminating"] = backend.Terminating },
        };
        if (backend.Hostname is { } hostname)
        {
            endpoint["hostname"] = hostname;
        }
        if (backend.NodeName is { } node)
        {
            endpoint["nodeName"] = node;
        }
        endpoint["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = ns, ["name"] = backend.PodName, ["uid"] = backend.PodUid };
        return endpoint;
    }

    private static JsonObject Port(BackendPort port)
    {
        var json = new JsonObject();
        if (port.Name is { Length: > 0 } name)
        {
            json["name"] = name;
        }
        json["port"] = port.Port;
        json["protocol"] = port.Protocol;
        return json;
    }

    private static JsonObject Metadata(JsonObject service, string name) => new()
    {
        ["generateName"] = name + "-",
        ["labels"] = new JsonObject { [ServiceNameLabel] = name, [ManagedByLabel] = ManagedBy },
        ["ownerReferences"] = ServiceBackends.OwnedBy(service),
    };
}
