using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Clusters;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// Gives every Node a /24 of the cluster's pod CIDR (<c>spec.podCIDR</c>, <c>spec.podCIDRs</c>), as
/// kube-controller-manager's node IPAM does: the lowest no other Node holds. The node agent takes its pods' addresses
/// from it. A range is free again once its Node is deleted; a Node that finds every range taken waits for one.
/// </summary>
internal sealed partial class NodeIpamController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, ClusterScope scope,
    string cluster, TimeProvider time, ILogger<NodeIpamController> logger) : IController
{
    private readonly WorkQueue<string> _queue = new(time);

    /// <summary>The range each Node holds, by name, kept from the informer's changes (and from this controller's own writes).</summary>
    private readonly ConcurrentDictionary<string, int> _held = new(StringComparer.Ordinal);
    private ObjectInformer? _informer;

    public string Name => "nodeipam";

    private ResourceType Nodes => registry.Find("", "v1", "nodes")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _informer = informers.Watch(ObjectStorage.Prefix(cluster, Nodes, null), change =>
        {
            var name = (change.New ?? change.Old)?["metadata"]?["name"]?.GetValue<string>();
            if (name is null)
            {
                return;
            }
            if (change.New is not { } node)
            {
                if (_held.TryRemove(name, out _))
                {
                    WakeWaiting(); // its range is free: a Node left without one may have it
                }
                return;
            }
            if (ClusterNetwork.NodePodCidrIndex(node["spec"]?["podCIDR"]?.GetValue<string>()) is { } index)
            {
                _held[name] = index;
            }
            else
            {
                _queue.Add(change.Key);
            }
        });
        return ControllerLoop.RunAsync(Name, _informer, _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_informer!.Get(key) is not { } node || node["spec"]?["podCIDR"] is not null || scope.Record.PodCidr is not { } clusterCidr)
        {
            return;
        }
        var name = node["metadata"]!["name"]!.GetValue<string>();
        var taken = _held.Where(h => h.Key != name).Select(h => h.Value).ToHashSet();
        var index = Enumerable.Range(1, ClusterNetwork.NodeCidrCount).FirstOrDefault(i => !taken.Contains(i));
        if (index == 0)
        {
            LogNoRange(logger, name, clusterCidr);
            return;
        }
        var cidr = ClusterNetwork.NodePodCidr(clusterCidr, index);
        _held[name] = index;
        try
        {
            await objects.UpdateObjectAsync(cluster, Nodes, null, name, FieldOwner.ControllerManager, updated =>
            {
                var spec = updated["spec"] as JsonObject ?? (JsonObject)(updated["spec"] = new JsonObject());
                if (spec["podCIDR"] is null)
                {
                    spec["podCIDR"] = cidr;
                    spec["podCIDRs"] = new JsonArray(cidr);
                }
                return updated;
            }, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "NotFound")
        {
            _held.TryRemove(name, out _); // deleted meanwhile
        }
    }

    private void WakeWaiting()
    {
        foreach (var (key, node) in _informer?.Objects ?? [])
        {
            if (node["spec"]?["podCIDR"] is null)
            {
                _queue.Add(key);
            }
        }
    }

    [LoggerMessage(EventId = 3030, Level = LogLevel.Warning, Message = "Every /24 of {ClusterCidr} is a node's: node {Node} waits for a pod CIDR")]
    private static partial void LogNoRange(ILogger logger, string node, string clusterCidr);
}
