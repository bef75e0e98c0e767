using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Kube.Scheduling;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// Watches over nodes as kube-controller-manager's node lifecycle controller does. A node whose agent has neither
/// renewed its Lease nor posted its status for the grace period gets every condition Unknown ("Kubelet stopped
/// posting node status."), its pods lose Ready, and it is tainted <c>node.kubernetes.io/unreachable</c>
/// (NoSchedule and NoExecute); a node reporting Ready=False is tainted <c>node.kubernetes.io/not-ready</c>. Pods
/// on a node with a NoExecute taint they do not tolerate are evicted (deleted), at once or when their
/// <c>tolerationSeconds</c> run out. A cordoned node (<c>spec.unschedulable</c>) is tainted
/// <c>node.kubernetes.io/unschedulable</c> (NoSchedule).
/// </summary>
internal sealed partial class NodeLifecycleController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events,
    string cluster, TimeProvider time, ILogger<NodeLifecycleController> logger) : IController
{
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnschedulableTaint = "node.kubernetes.io/unschedulable";

    /// <summary>kube-controller-manager's <c>--node-monitor-grace-period</c>.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(40);

    /// <summary>kube-controller-manager's <c>--node-monitor-period</c>: how often each node is looked at.</summary>
    private static readonly TimeSpan s_monitorPeriod = TimeSpan.FromSeconds(5);

    private static readonly string[] s_conditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

    private readonly WorkQueue<string> _queue = new(time);
    private ObjectInformer? _nodes;
    private ObjectInformer? _leases;
    private ObjectInformer? _pods;

    /// <summary>The keys of the pods bound to each node, by node name.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _podsByNode = new(StringComparer.Ordinal);

    public string Name => "node-lifecycle";

    private ResourceType Nodes => registry.Find("", "v1", "nodes")!;

    private ResourceType Leases => registry.Find("coordination.k8s.io", "v1", "leases")!;

    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _nodes = informers.Watch(ObjectStorage.Prefix(cluster, Nodes, null), change => _queue.Add(change.Key));
        _leases = informers.Watch(ObjectStorage.Prefix(cluster, Leases, "kube-node-lease"), _ => { });
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, Pods, null), IndexPod);
        return ControllerLoop.RunAsync(Name, [_nodes, _leases, _pods], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private void IndexPod(ObjectChange change)
    {
        if (change.Old?["spec"]?["nodeName"].AsText() is { Length: > 0 } oldNode)
        {
            _podsByNode.GetValueOrDefault(oldNode)?.TryRemove(change.Key, out _);
        }
        if (change.New?["spec"]?["nodeName"].AsText() is { Length: > 0 } node)
        {
            _podsByNode.GetOrAdd(node, _ => new(StringComparer.Ordinal))[change.Key] = true;
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_nodes!.Get(key) is not { } node)
        {
            return;
        }
        var name = node["metadata"]!["name"]!.GetValue<string>();
        var now = time.GetUtcNow();
        var pods = (_podsByNode.GetValueOrDefault(name)?.Keys ?? []).Select(_pods!.Get)
            .OfType<JsonObject>().Where(p => p["metadata"]?["deletionTimestamp"] is null).ToList();
        if (LastHeard(node, name) + GracePeriod < now && ObjectConditions.Find(node, "Ready")?["status"].AsText() != "Unknown")
        {
            node = await MarkUnknownAsync(name, now, cancellationToken);
            await MarkPodsNotReadyAsync(pods, now, cancellationToken);
        }
        node = await SyncTaintsAsync(node, name, now, cancellationToken);
        var next = await EvictAsync(node, pods, now, cancellationToken);
        _queue.AddAfter(key, next is { } due && due < s_monitorPeriod ? due : s_monitorPeriod);
    }

    /// <summary>When the node's agent was last heard of: its Lease's renewal, its Ready heartbeat, or its creation.</summary>
    private DateTimeOffset LastHeard(JsonObject node, string name)
    {
        var lease = _leases!.Get(ObjectStorage.Key(cluster, Leases, "kube-node-lease", name));
        return new[]
        {
            KubeTime.Parse(lease?["spec"]?["renewTime"]),
            KubeTime.Parse(ObjectConditions.Find(node, "Ready")?["lastHeartbeatTime"]),
            KubeTime.Parse(node["metadata"]?["creationTimestamp"]),
        }.Max() ?? DateTimeOffset.MinValue;
    }

    private async Task<JsonObject> MarkUnknownAsync(string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var updated = await objects.UpdateStatusAsync(cluster, Nodes, null, name, FieldOwner.ControllerManager, current =>
        {
            var status = current["status"] as JsonObject ?? (JsonObject)(current["status"] = new JsonObject());
            var conditions = status["conditions"] as JsonArray ?? (JsonArray)(status["conditions"] = new JsonArray());
            foreach (var type in s_conditions)
            {
                var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"].AsText() == type);
                var condition = new JsonObject
                {
                    ["type"] = type,
                    ["status"] = "Unknown",
                    ["lastHeartbeatTime"] = existing?["lastHeartbeatTime"]?.DeepClone() ?? KubeTime.Format(KubeTime.Parse(current["metadata"]?["creationTimestamp"]) ?? now),
                    ["lastTransitionTime"] = KubeTime.Format(now),
                    ["reason"] = existing is null ? "NodeStatusNeverUpdated" : "NodeStatusUnknown",
                    ["message"] = existing is null ? "Kubelet never posted node status." : "Kubelet stopped posting node status.",
                };
                if (existing is null)
                {
                    conditions.Add(condition);
                }
                else
                {
                    conditions[conditions.IndexOf(existing)] = condition;
                }
            }
            return current;
        }, cancellationToken);
        await events.RecordAsync(cluster, updated, EventRecorder.Normal, "NodeNotReady", $"Node {name} status is now: NodeNotReady", "node-controller", cancellationToken);
        LogNodeUnreachable(logger, name);
        return updated;
    }

    private async Task MarkPodsNotReadyAsync(List<JsonObject> pods, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var pod in pods)
        {
            var metadata = pod["metadata"]!;
            try
            {
                var updated = await objects.UpdateStatusAsync(cluster, Pods, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
                    FieldOwner.ControllerManager, current =>
                    {
                        PodConditions.Set(current, PodConditions.Ready, "False", null, null, now);
                        return current;
                    }, cancellationToken);
                await events.RecordAsync(cluster, updated, EventRecorder.Warning, "NodeNotReady", "Node is not ready", "node-controller", cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason == "NotFound")
            {
                // deleted meanwhile
            }
        }
    }

    /// <summary>
    /// The taints that say what the Ready condition says (NoSchedule and NoExecute), and the NoSchedule taint of a
    /// cordoned node (<c>spec.unschedulable</c>), as the node lifecycle controller keeps them. A taint that stays is
    /// left as it is, so the time a NoExecute taint was added (from which tolerations count) does not move; other
    /// taints are not touched.
    /// </summary>
    private async Task<JsonObject> SyncTaintsAsync(JsonObject node, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var condition = ObjectConditions.Find(node, "Ready")?["status"].AsText() switch
        {
            "Unknown" => UnreachableTaint,
            "False" => NotReadyTaint,
            _ => null,
        };
        var wanted = new List<(string Key, string Effect)>();
        if (condition is not null)
        {
            wanted.Add((condition, Tolerations.NoSchedule));
            wanted.Add((condition, Tolerations.NoExecute));
        }
        if (node["spec"]?["unschedulable"].AsBool() == true)
        {
            wanted.Add((UnschedulableTaint, Tolerations.NoSchedule));
        }
        static bool Ours(JsonObject taint) => taint["key"].AsText() is UnreachableTaint or NotReadyTaint or UnschedulableTaint;
        static (string?, string?) Identity(JsonObject taint) => (taint["key"].AsText(), taint["effect"].AsText());
        var current = Tolerations.TaintsOf(node).Where(Ours).Select(Identity).ToHashSet();
        if (current.SetEquals(wanted.Select(w => ((string?)w.Key, (string?)w.Effect))))
        {
            return node;
        }
        return await objects.UpdateObjectAsync(cluster, Nodes, null, name, FieldOwner.ControllerManager, updated =>
        {
            var spec = updated["spec"] as JsonObject ?? (JsonObject)(updated["spec"] = new JsonObject());
            var existing = (spec["taints"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var taints = existing.Where(t => !Ours(t) || wanted.Contains((t["key"].AsText()!, t["effect"].AsText()!)))
                .Select(t => (JsonNode)t.DeepClone()).ToList();
            foreach (var (key, effect) in wanted.Where(w => !existing.Any(t => Identity(t) == (w.Key, w.Effect))))
            {
                taints.Add(new JsonObject { ["key"] = key, ["effect"] = effect, ["timeAdded"] = KubeTime.Format(now) });
            }
            spec.Remove("taints");
            if (taints.Count > 0)
            {
                spec["taints"] = new JsonArray([.. taints]);
            }
            return updated;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes the pods whose time on a NoExecute-tainted node is up: at once without a matching toleration, else
    /// when the shortest <c>tolerationSeconds</c> of the matching ones has passed since the taint was added. Returns
    /// how long until the next pod is due, if any is.
    /// </summary>
    private async Task<TimeSpan?> EvictAsync(JsonObject node, List<JsonObject> pods, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var taints = Tolerations.TaintsOf(node).Where(t => t["effect"].AsText() == Tolerations.NoExecute).ToList();
        TimeSpan? next = null;
        foreach (var pod in taints.Count == 0 ? [] : pods)
        {
            var due = DueAt(pod, taints, now);
            if (due is null)
            {
                continue;
            }
            if (due > now)
            {
                next = next is null || due.Value - now < next ? due.Value - now : next;
                continue;
            }
            var metadata = pod["metadata"]!;
            var name = metadata["name"]!.GetValue<string>();
            try
            {
                await events.RecordAsync(cluster, pod, EventRecorder.Normal, "TaintManagerEviction",
                    $"Marking for deletion Pod {metadata["namespace"]}/{name}", "taint-eviction-controller", cancellationToken);
                await objects.DeleteObjectAsync(cluster, Pods, metadata["namespace"].AsText(), name,
                    DeleteOptions.Default with { PreconditionUid = metadata["uid"].AsText() }, cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
            {
                // gone or replaced meanwhile
            }
        }
        return next;
    }

    /// <summary>When the pod must leave, or null when it tolerates every taint for ever.</summary>
    private static DateTimeOffset? DueAt(JsonObject pod, List<JsonObject> taints, DateTimeOffset now)
    {
        DateTimeOffset? due = null;
        foreach (var taint in taints)
        {
            var matching = Tolerations.Of(pod).Where(t => Tolerations.Tolerates(t, taint)).ToList();
            if (matching.Count == 0)
            {
                return now;
            }
            if (matching.Any(t => t["tolerationSeconds"] is null))
            {
                continue;
            }
            var seconds = Math.Max(0, matching.Min(t => t["tolerationSeconds"].AsLong() ?? 0));
            var at = (KubeTime.Parse(taint["timeAdded"]) ?? now) + TimeSpan.FromSeconds(seconds);
            due = due is null || at < due ? at : due;
        }
        return due;
    }

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Node {Node} stopped posting its status; marked unreachable")]
    private static partial void LogNodeUnreachable(ILogger logger, string node);
}
