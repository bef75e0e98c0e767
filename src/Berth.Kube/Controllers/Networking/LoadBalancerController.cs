using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Clusters;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Networking;

/// <summary>
/// The cloud's service controller for Services of type LoadBalancer (without a <c>loadBalancerClass</c>, which names
/// another implementation): each gets an address of the cluster's loopback range (<see cref="ClusterNetwork.LoadBalancerRange"/>),
/// the lowest no other Service holds, written to <c>status.loadBalancer.ingress</c>, where kubectl shows it as
/// EXTERNAL-IP. The address is the load balancer: the nodes' service proxy sends what reaches it to the Service's
/// Ready endpoints on Ready nodes. The status is the allocation, so a Service deleted, or no longer of the type,
/// frees its address with it.
/// </summary>
internal sealed partial class LoadBalancerController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events,
    ClusterScope scope, string cluster, TimeProvider time, ILogger<LoadBalancerController> logger) : IController
{
    private const string Component = "service-controller";

    private readonly WorkQueue<string> _queue = new(time);

    /// <summary>The Service (by store key) each address is held by, kept from the informer's changes and this controller's writes.</summary>
    private readonly ConcurrentDictionary<IPAddress, string> _held = new();
    private ObjectInformer? _informer;

    public string Name => "service-lb";

    private ResourceType Services => registry.Find("", "v1", "services")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _informer = informers.Watch(ObjectStorage.Prefix(cluster, Services, null), change =>
        {
            foreach (var address in Addresses(change.Old))
            {
                _held.TryRemove(new KeyValuePair<IPAddress, string>(address, change.Key));
            }
            foreach (var address in Addresses(change.New))
            {
                _held.TryAdd(address, change.Key);
            }
            if (change.New is not null)
            {
                _queue.Add(change.Key);
            }
        });
        return ControllerLoop.RunAsync(Name, _informer, _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_informer!.Get(key) is not { } service || scope.Record.PodCidr is not { } clusterCidr)
        {
            return;
        }
        var metadata = service["metadata"]!;
        var (ns, name) = (metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>());
        var range = ClusterNetwork.LoadBalancerRange(clusterCidr);
        var held = Addresses(service).Where(a => range.Contains(a) && _held.TryGetValue(a, out var holder) && holder == key).ToList();
        if (!Wants(service))
        {
            // only an address of this controller's range is its own to take back: a status someone else wrote stays
            if (Addresses(service).Any(range.Contains))
            {
                await WriteIngressAsync(ns, name, null, cancellationToken);
                await events.RecordAsync(cluster, service, EventRecorder.Normal, "DeletedLoadBalancer", "Deleted load balancer", Component, cancellationToken);
            }
            return;
        }
        if (held.Count > 0)
        {
            return;
        }
        await events.RecordAsync(cluster, service, EventRecorder.Normal, "EnsuringLoadBalancer", "Ensuring load balancer", Component, cancellationToken);
        if (Allocate(range, key) is not { } address)
        {
            await events.RecordAsync(cluster, service, EventRecorder.Warning, "SyncLoadBalancerFailed",
                $"Error syncing load balancer: every address of {range} is a load balancer's", Component, cancellationToken);
            LogRangeFull(logger, ns, name);
            return;
        }
        try
        {
            await WriteIngressAsync(ns, name, address, cancellationToken);
        }
        catch
        {
            _held.TryRemove(new KeyValuePair<IPAddress, string>(address, key));
            throw;
        }
        await events.RecordAsync(cluster, service, EventRecorder.Normal, "EnsuredLoadBalancer", "Ensured load balancer", Component, cancellationToken);
    }

    /// <summary>Whether the Service asks this controller for a load balancer.</summary>
    private static bool Wants(JsonObject service) =>
        service["metadata"]?["deletionTimestamp"] is null && service["spec"]?["type"].AsText() == "LoadBalancer"
        && service["spec"]?["loadBalancerClass"].AsText() is null or "";

    /// <summary>Takes the lowest free address of the range for <paramref name="key"/>.</summary>
    private IPAddress? Allocate(IPNetwork range, string key)
    {
        var octets = range.BaseAddress.GetAddressBytes();
        for (var n = 1; n < 65535; n++)
        {
            var address = new IPAddress([octets[0], octets[1], (byte)(n >> 8), (byte)(n & 0xFF)]);
            if (_held.TryAdd(address, key))
            {
                return address;
            }
        }
        return null;
    }

    private async Task WriteIngressAsync(string? ns, string name, IPAddress? address, CancellationToken cancellationToken)
    {
        try
        {
            await objects.UpdateStatusAsync(cluster, Services, ns, name, FieldOwner.ControllerManager, updated =>
            {
                var status = updated["status"] as JsonObject ?? (JsonObject)(updated["status"] = new JsonObject());
                status["loadBalancer"] = address is null
                    ? new JsonObject()
                    : new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = address.ToString(), ["ipMode"] = "VIP" }) };
                return updated;
            }, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "NotFound")
        {
            // deleted meanwhile: its address goes with its informer's deletion
        }
    }

    /// <summary>The load-balancer addresses a Service's status holds.</summary>
    private static IEnumerable<IPAddress> Addresses(JsonObject? service) =>
        (service?["status"]?["loadBalancer"]?["ingress"] as JsonArray ?? []).Select(i => i?["ip"].AsText())
            .Select(ip => IPAddress.TryParse(ip, out var address) ? address : null).OfType<IPAddress>();

    [LoggerMessage(EventId = 3040, Level = LogLevel.Warning, Message = "Every load-balancer address of the cluster is taken: Service {Ns}/{Name} waits for one")]
    private static partial void LogRangeFull(ILogger logger, string? ns, string name);
}
