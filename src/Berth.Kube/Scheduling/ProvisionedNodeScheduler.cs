using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Clusters;
using Berth.Kube.Controllers;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Scheduling;

/// <summary>
/// Places the pods that get a node of their own, as EKS's fargate-scheduler does: a pending pod whose scheduler is a
/// provisioner's (<see cref="INodeProvisioner"/>) is given the node it asks that provisioner for, bound once the node
/// is Ready, with the provisioner's annotations; when the pod finishes or goes, its node is released.
/// </summary>
internal sealed class ProvisionedNodeScheduler(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, IEnumerable<INodeProvisioner> provisioners,
    string cluster, TimeProvider time, ILogger<ProvisionedNodeScheduler> logger) : IController
{
    private const string ReleasePrefix = "release/";
    private static readonly TimeSpan s_recheck = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, INodeProvisioner> _provisioners = provisioners.ToDictionary(p => p.SchedulerName, StringComparer.Ordinal);
    private readonly WorkQueue<string> _queue = new(time);

    /// <summary>The pods waiting for their node to be Ready, by node.</summary>
    private readonly ConcurrentDictionary<string, string> _waiting = new(StringComparer.Ordinal);

    private ObjectInformer? _pods;
    private ObjectInformer? _nodes;

    public string Name => "provisioned-node-scheduler";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_provisioners.Count == 0)
        {
            return; // nothing here provisions nodes: nothing to place
        }
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, registry.Find("", "v1", "pods")!, null), change =>
        {
            if (ProvisionerOf(change.New ?? change.Old) is null)
            {
                return;
            }
            if (change.New is null)
            {
                _queue.Add(ReleasePrefix + change.Old!["metadata"]?["uid"].AsText());
            }
            else
            {
                _queue.Add(change.Key);
            }
        });
        _nodes = informers.Watch(ObjectStorage.Prefix(cluster, registry.Find("", "v1", "nodes")!, null), change =>
        {
            if (change.New?["metadata"]?["name"].AsText() is { } node && _waiting.TryGetValue(node, out var pod))
            {
                _queue.Add(pod);
            }
        });
        await ControllerLoop.RunAsync(Name, [_pods, _nodes], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private INodeProvisioner? ProvisionerOf(JsonObject? pod) =>
        pod?["spec"]?["schedulerName"].AsText() is { } name ? _provisioners.GetValueOrDefault(name) : null;

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (key.StartsWith(ReleasePrefix, StringComparison.Ordinal))
        {
            foreach (var provisioner in _provisioners.Values)
            {
                await provisioner.ReleaseAsync(cluster, key[ReleasePrefix.Length..], cancellationToken);
            }
            return;
        }
        if (_pods!.Get(key) is not { } pod || ProvisionerOf(pod) is not { } owner)
        {
            return;
        }
        var uid = pod["metadata"]!["uid"]!.GetValue<string>();
        if (pod["status"]?["phase"].AsText() is "Succeeded" or "Failed")
        {
            await owner.ReleaseAsync(cluster, uid, cancellationToken);
            return;
        }
        if (pod["spec"]?["nodeName"].AsText() is { Length: > 0 } || pod["metadata"]?["deletionTimestamp"] is not null)
        {
            return;
        }
        var requests = ResourceList.RequestsOf(pod);
        var metadata = pod["metadata"]!;
        var node = await owner.ProvisionAsync(cluster, new PodToPlace(uid, metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>(),
            (metadata["labels"] as JsonObject ?? []).ToDictionary(l => l.Key, l => l.Value.AsText() ?? "", StringComparer.Ordinal),
            requests[ResourceList.Cpu], requests[ResourceList.Memory]), cancellationToken);
        if (!IsReady(_nodes!.Get(ObjectStorage.Prefix(cluster, registry.Find("", "v1", "nodes")!, null) + node.NodeName)))
        {
            _waiting[node.NodeName] = key;
            _queue.AddAfter(key, s_recheck);
            return;
        }
        _waiting.TryRemove(node.NodeName, out _);
        var annotations = new JsonObject([.. node.Annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))]);
        try
        {
            await objects.BindPodAsync(cluster, pod["metadata"]!["namespace"]!.GetValue<string>(), pod["metadata"]!["name"]!.GetValue<string>(),
                node.NodeName, annotations, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "Conflict")
        {
            // bound or being deleted meanwhile: the informer's next copy says which
        }
    }

    private static bool IsReady(JsonObject? node) =>
        (node?["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => c["type"].AsText() == "Ready" && c["status"].AsText() == "True");
}
