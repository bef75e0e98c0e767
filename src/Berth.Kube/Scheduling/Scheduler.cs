using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Scheduling;

/// <summary>
/// Assigns pending pods to nodes, as kube-scheduler does for pods whose <c>schedulerName</c> is
/// <c>default-scheduler</c>: one decision at a time, higher priority first, then older, against the cache of
/// nodes and placed pods, then the binding written in the background while the next pod is decided. A pod that
/// fits nowhere may preempt lower-priority pods (<see cref="DefaultPreemption"/>), which nominates it to their
/// node; it gets <c>PodScheduled=False</c>, reason <c>Unschedulable</c>, and a FailedScheduling event, and is
/// tried again when a node is added or changes, when a placed pod goes, and every five minutes.
/// </summary>
internal sealed partial class Scheduler(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<Scheduler> logger) : IController
{
    public const string DefaultSchedulerName = "default-scheduler";

    /// <summary>Bindings written at once; each waits for two durable writes (the binding and its event), which group commit shares.</summary>
    private const int MaxBindingsInFlight = 256;
    private static readonly TimeSpan s_unschedulableRetry = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_bindingRetry = TimeSpan.FromSeconds(1);

    private readonly SchedulingCache _cache = new();
    private readonly NodePicker _picker = new(new Random());
    private readonly ConcurrentDictionary<string, bool> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CachedPod>> _nominated = new(StringComparer.Ordinal); // inside _cache.Enter()
    private readonly List<Task> _bindings = []; // touched only by the one reconciling worker
    private readonly Preemptor _preemptor = new(objects, registry, events, cluster, time);
    private WorkQueue<string>? _queue;
    private ObjectInformer? _pods;
    private ObjectInformer? _namespaces;
    private ObjectInformer? _budgets;
    private ObjectInformer? _claims;
    private ObjectInformer? _classes;

    public string Name => "scheduler";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _queue = new WorkQueue<string>(time, QueueOrder);
        var nodes = informers.Watch(Prefix("", "nodes"), OnNodeChange);
        _pods = informers.Watch(Prefix("", "pods"), OnPodChange);
        _namespaces = informers.Watch(Prefix("", "namespaces"), _ => { });
        _budgets = informers.Watch(Prefix("policy", "poddisruptionbudgets"), _ => { });
        // a claim that binds, or a class that comes, may let a waiting pod through VolumeBinding
        _claims = informers.Watch(Prefix("", "persistentvolumeclaims"), _ => RetryUnschedulable());
        _classes = informers.Watch(Prefix("storage.k8s.io", "storageclasses"), _ => RetryUnschedulable());
        return ControllerLoop.RunAsync(Name, [nodes, _pods, _namespaces, _budgets, _claims, _classes], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private string Prefix(string group, string plural) => ObjectStorage.Prefix(cluster, registry.Find(group, "v1", plural)!, null);

    /// <summary>The scheduling queue's order: higher priority first, then the pod created first.</summary>
    private (long, long) QueueOrder(string key) =>
        _pods?.Get(key) is { } pod
            ? (-(pod["spec"]?["priority"].AsLong() ?? 0), (KubeTime.Parse(pod["metadata"]?["creationTimestamp"]) ?? DateTimeOffset.MinValue).UtcTicks)
            : (0, 0);

    private void OnNodeChange(ObjectChange change)
    {
        var name = (change.New ?? change.Old)!["metadata"]!["name"]!.GetValue<string>();
        if (change.New is { } node)
        {
            _cache.SetNode(name, node);
            if (change.Old is null || !SameForScheduling(change.Old, node))
            {
                RetryUnschedulable();
            }
        }
        else
        {
            _cache.RemoveNode(name);
        }
    }

    /// <summary>A node's heartbeat changes nothing the filters read; its labels, taints, spec or allocatable do.</summary>
    private static bool SameForScheduling(JsonObject old, JsonObject now) =>
        JsonNode.DeepEquals(old["spec"], now["spec"])
        && JsonNode.DeepEquals(old["metadata"]?["labels"], now["metadata"]?["labels"])
        && JsonNode.DeepEquals(old["status"]?["allocatable"], now["status"]?["allocatable"]);

    private void OnPodChange(ObjectChange change)
    {
        if (change.New is not { } pod)
        {
            _cache.RemovePod(change.Key);
            _unschedulable.TryRemove(change.Key, out _);
            Unnominate(change.Key);
            if (NodeOf(change.Old!) is not null)
            {
                RetryUnschedulable();
            }
            return;
        }
        if (NodeOf(pod) is { } node)
        {
            if (pod["status"]?["phase"].AsText() is "Succeeded" or "Failed")
            {
                _cache.RemovePod(change.Key);
                RetryUnschedulable();
            }
            else
            {
                _cache.AddPod(change.Key, node, PodDemand.Of(pod));
            }
            return;
        }
        if (IsOurs(pod))
        {
            _queue!.Add(change.Key);
        }
    }

    private void RetryUnschedulable()
    {
        foreach (var key in _unschedulable.Keys)
        {
            _queue!.Add(key);
        }
    }

    private static string? NodeOf(JsonObject pod) => pod["spec"]?["nodeName"].AsText() is { Length: > 0 } node ? node : null;

    private static bool IsOurs(JsonObject pod) =>
        NodeOf(pod) is null && pod["metadata"]?["deletionTimestamp"] is null
        && (pod["spec"]?["schedulerName"].AsText() ?? DefaultSchedulerName) == DefaultSchedulerName;

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_pods!.Get(key) is not { } pod || !IsOurs(pod))
        {
            _unschedulable.TryRemove(key, out _);
            return;
        }
        var demand = PodDemand.Of(pod);
        var volumeProblem = VolumeBinding.PreFilter(pod, Claim, StorageClass);
        Placement placement;
        PreemptionCandidate? preemption = null;
        string? preemptionFailure = null;
        using (_cache.Enter())
        {
            var view = new ClusterView(_cache.ReadyNodes, NamespaceLabels, _cache.NodesWithImage, _nominated, _cache.NodesWithAffinityPods);
            var state = CycleState.Prepare(pod, demand, view);
            placement = volumeProblem is null ? _picker.Pick(state) : Placement.Rejected(view.Nodes.Count, volumeProblem);
            if (placement.Node is null && view.Nodes.Count > 0)
            {
                (preemption, preemptionFailure) = DefaultPreemption.Find(state, placement, Budgets());
                if (preemption is not null)
                {
                    NominateLocked(key, preemption.Node.Name, demand);
                }
            }
        }
        if (placement.Node is not { } chosen)
        {
            _unschedulable[key] = true;
            _queue!.AddAfter(key, s_unschedulableRetry);
            if (preemption is not null)
            {
                var victims = preemption.Victims.Select(v => _pods.Get(v.Key)).OfType<JsonObject>();
                await _preemptor.EvictAsync(pod, preemption.Node.Name, victims, cancellationToken);
            }
            // a pod that no preemption can help loses its nomination; one that may not preempt keeps it
            var nominated = preemption?.Node.Name ?? (preemptionFailure is DefaultPreemption.NeverPolicy or DefaultPreemption.TerminatingOnNominated ? null : "");
            if (nominated == "")
            {
                Unnominate(key);
            }
            await MarkUnschedulableAsync(pod, FitError.WithPreemption(placement.Failure!, preemptionFailure), nominated, cancellationToken);
            return;
        }
        _unschedulable.TryRemove(key, out _);
        Unnominate(key);
        _cache.AddPod(key, chosen.Name, demand); // assumed until the informer sees the binding
        if (_bindings.Count >= MaxBindingsInFlight)
        {
            await Task.WhenAny(_bindings);
            _bindings.RemoveAll(b => b.IsCompleted);
        }
        _bindings.Add(BindAsync(key, pod, chosen.Name, cancellationToken));
    }

    private async Task BindAsync(string key, JsonObject pod, string node, CancellationToken cancellationToken)
    {
        var metadata = pod["metadata"]!;
        var (ns, name) = (metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>());
        try
        {
            await objects.BindPodAsync(cluster, ns, name, node, null, cancellationToken);
            await events.RecordAsync(cluster, pod, EventRecorder.Normal, "Scheduled", $"Successfully assigned {ns}/{name} to {node}",
                DefaultSchedulerName, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
        {
            // gone, being deleted, or bound by someone else: the informer's next copy settles the cache
            _cache.RemovePod(key);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogBindingFailed(logger, e, $"{ns}/{name}", node);
            _cache.RemovePod(key);
            _queue!.AddAfter(key, s_bindingRetry);
        }
    }

    private JsonObject? Claim(string ns, string name) =>
        _claims?.Get(ObjectStorage.Key(cluster, registry.Find("", "v1", "persistentvolumeclaims")!, ns, name));

    private JsonObject? StorageClass(string name) =>
        _classes?.Get(ObjectStorage.Key(cluster, registry.Find("storage.k8s.io", "v1", "storageclasses")!, null, name));

    private JsonObject? NamespaceLabels(string ns) =>
        _namespaces?.Get(ObjectStorage.Key(cluster, registry.Find("", "v1", "namespaces")!, null, ns))?["metadata"]?["labels"] as JsonObject;

    private List<DisruptionBudget> Budgets() => [.. (_budgets?.Objects ?? []).Select(b => DisruptionBudget.Of(b.Value)).OfType<DisruptionBudget>()];

    /// <summary>Holds room on <paramref name="node"/> for a preemptor until it is placed or gone. Call under the cache's lock.</summary>
    private void NominateLocked(string key, string node, PodDemand demand)
    {
        UnnominateLocked(key);
        if (!_nominated.TryGetValue(node, out var pods))
        {
            _nominated[node] = pods = [];
        }
        pods.Add(new CachedPod(key, demand));
    }

    private void Unnominate(string key)
    {
        using (_cache.Enter())
        {
            UnnominateLocked(key);
        }
    }

    private void UnnominateLocked(string key)
    {
        foreach (var (node, pods) in _nominated)
        {
            if (pods.RemoveAll(p => p.Key == key) > 0 && pods.Count == 0)
            {
                _nominated.Remove(node);
                return;
            }
        }
    }

    /// <summary>
    /// Records why the pod waits; <paramref name="nominated"/> is the node preemption made room on, empty to clear
    /// a nomination, or null to leave it as it is.
    /// </summary>
    private async Task MarkUnschedulableAsync(JsonObject pod, string message, string? nominated, CancellationToken cancellationToken)
    {
        var metadata = pod["metadata"]!;
        var pods = registry.Find("", "v1", "pods")!;
        await objects.UpdateStatusAsync(cluster, pods, metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>(),
            FieldOwner.Scheduler, existing =>
            {
                PodConditions.Set(existing, PodConditions.PodScheduled, "False", "Unschedulable", message, time.GetUtcNow());
                var status = (JsonObject)existing["status"]!;
                if (nominated is { Length: > 0 })
                {
                    status["nominatedNodeName"] = nominated;
                }
                else if (nominated is not null)
                {
                    status.Remove("nominatedNodeName");
                }
                return existing;
            }, cancellationToken);
        await events.RecordAsync(cluster, pod, EventRecorder.Warning, "FailedScheduling", message, DefaultSchedulerName, cancellationToken);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Binding pod {Pod} to node {Node} failed; scheduling it again")]
    private static partial void LogBindingFailed(ILogger logger, Exception exception, string pod, string node);
}
