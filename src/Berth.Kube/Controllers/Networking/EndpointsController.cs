using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Networking;

/// <summary>
/// Keeps the Endpoints object of every Service with a selector, as kube-controller-manager's endpoints controller does:
/// named as the Service, with a subset per set of ports listing the ready pods' addresses, and the others (not
/// terminating) as not ready. What older clients (and <c>kubectl get endpoints</c>) read; the EndpointSlices say the same.
/// </summary>
internal sealed class EndpointsController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, string cluster,
    TimeProvider time, ILogger<EndpointsController> logger) : ServiceEndpointsLoop(informers, registry, cluster, time, logger)
{
    private ObjectInformer? _endpoints;

    public override string Name => "endpoints";

    private ResourceType Endpoints => Registry.Find("", "v1", "endpoints")!;

    protected override ObjectInformer WatchOwned(SharedInformers informers, Action<string, string> enqueue) =>
        _endpoints = informers.Watch(ObjectStorage.Prefix(Cluster, Endpoints, null), change =>
        {
            var metadata = (change.New ?? change.Old)?["metadata"];
            if (metadata?["namespace"].AsText() is { } ns && metadata["name"].AsText() is { } name)
            {
                enqueue(ns, name);
            }
        });

    protected override async Task ReconcileAsync(string ns, string name, JsonObject? service, IReadOnlyList<JsonObject> pods, CancellationToken cancellationToken)
    {
        var current = _endpoints!.Get(ObjectStorage.Key(Cluster, Endpoints, ns, name));
        if (service is null || !ServiceBackends.IsManaged(service))
        {
            // the Service is gone (its Endpoints go with it by ownership), or its user keeps them
            return;
        }
        var subsets = new JsonArray([.. ServiceBackends.Compute(service, pods).Where(g => g.Backends.Count > 0).Select(g => (JsonNode)Subset(ns, g))]);
        if (current is null)
        {
            await objects.CreateObjectAsync(Cluster, Endpoints, ns, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Endpoints",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = service["metadata"]?["labels"]?.DeepClone(),
                    ["ownerReferences"] = ServiceBackends.OwnedBy(service),
                },
                ["subsets"] = subsets,
            }, FieldOwner.ControllerManager, dryRun: false, cancellationToken);
            return;
        }
        if (!JsonNode.DeepEquals(current["subsets"] ?? new JsonArray(), subsets))
        {
            await objects.UpdateObjectAsync(Cluster, Endpoints, ns, name, FieldOwner.ControllerManager, updated =>
            {
                updated["subsets"] = subsets.DeepClone();
                return updated;
            }, cancellationToken);
        }
    }

    private static JsonObject Subset(string ns, BackendGroup group)
    {
        var subset = new JsonObject();
        JsonObject Address(Backend b)
        {
            var address = new JsonObject { ["ip"] = b.Ip };
            if (b.Hostname is { } hostname)
            {
                address["hostname"] = hostname;
            }
            if (b.NodeName is { } node)
            {
                address["nodeName"] = node;
            }
            address["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = ns, ["name"] = b.PodName, ["uid"] = b.PodUid };
            return address;
        }
        if (group.Backends.Where(b => b.Ready).ToList() is { Count: > 0 } ready)
        {
            subset["addresses"] = new JsonArray([.. ready.Select(b => (JsonNode)Address(b))]);
        }
        if (group.Backends.Where(b => !b.Ready && !b.Terminating).ToList() is { Count: > 0 } notReady)
        {
            subset["notReadyAddresses"] = new JsonArray([.. notReady.Select(b => (JsonNode)Address(b))]);
        }
        subset["ports"] = new JsonArray([.. group.Ports.Select(p =>
        {
            var port = new JsonObject();
            if (p.Name is { Length: > 0 } portName)
            {
                port["name"] = portName;
            }
            port["port"] = p.Port;
            port["protocol"] = p.Protocol;
            return (JsonNode)port;
        })]);
        return subset;
    }
}
