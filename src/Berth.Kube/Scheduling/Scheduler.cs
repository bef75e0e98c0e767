using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Scheduling;

/// <summary>
/// Assigns pending pods to nodes, as kube-scheduler does for pods whose <c>schedulerName</c> is
/// <c>default-scheduler</c>: one decision at a time against the cache of nodes and placed pods, then the binding
/// written in the background while the next pod is decided. A pod that fits nowhere gets
/// <c>PodScheduled=False</c>, reason <c>Unschedulable</c>, and a FailedScheduling event, and is tried again when
/// a node is added or changes, when a placed pod goes, and every five minutes.
/// </summary>
internal sealed partial class Scheduler(IStore store, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<Scheduler> logger) : IController
{
    public const string DefaultSchedulerName = "default-scheduler";

    private const int MaxBindingsInFlight = 64;
    private static readonly TimeSpan s_unschedulableRetry = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_bindingRetry = TimeSpan.FromSeconds(1);

    private readonly WorkQueue<string> _queue = new(time);
    private readonly SchedulingCache _cache = new();
    private readonly NodePicker _picker = new(new Random());
    private readonly ConcurrentDictionary<string, bool> _unschedulable = new(StringComparer.Ordinal);
    private readonly List<Task> _bindings = []; // touched only by the one reconciling worker
    private ObjectInformer? _pods;

    public string Name => "scheduler";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var nodes = new ObjectInformer(store, ObjectStorage.Prefix(cluster, registry.Find("", "v1", "nodes")!, null), OnNodeChange);
        _pods = new ObjectInformer(store, ObjectStorage.Prefix(cluster, registry.Find("", "v1", "pods")!, null), OnPodChange, SchedulingView);
        return ControllerLoop.RunAsync(Name, [nodes, _pods], _queue, ReconcileAsync, logger, cancellationToken);
    }

    /// <summary>What the scheduler keeps of each pod: all but its managed fields and its status beyond the phase.</summary>
    private static JsonObject SchedulingView(JsonObject pod)
    {
        var view = new JsonObject();
        foreach (var (field, value) in pod)
        {
            view[field] = field switch
            {
                "status" => new JsonObject { ["phase"] = value?["phase"]?.DeepClone() },
                _ => value?.DeepClone(),
            };
        }
        (view["metadata"] as JsonObject)?.Remove("managedFields");
        return view;
    }

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
            _queue.Add(change.Key);
        }
    }

    private void RetryUnschedulable()
    {
        foreach (var key in _unschedulable.Keys)
        {
            _queue.Add(key);
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
        NodeInfo? chosen;
        string? failure;
        lock (_cache.Sync)
        {
            (chosen, failure) = _picker.Pick(pod, demand, _cache.Nodes);
        }
        if (chosen is null)
        {
            _unschedulable[key] = true;
            _queue.AddAfter(key, s_unschedulableRetry);
            await MarkUnschedulableAsync(pod, failure!, cancellationToken);
            return;
        }
        _unschedulable.TryRemove(key, out _);
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
            _queue.AddAfter(key, s_bindingRetry);
        }
    }

    private async Task MarkUnschedulableAsync(JsonObject pod, string message, CancellationToken cancellationToken)
    {
        var metadata = pod["metadata"]!;
        var pods = registry.Find("", "v1", "pods")!;
        await objects.UpdateStatusAsync(cluster, pods, metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>(),
            FieldOwner.Scheduler, existing =>
            {
                PodConditions.Set(existing, PodConditions.PodScheduled, "False", "Unschedulable", message, time.GetUtcNow());
                return existing;
            }, cancellationToken);
        await events.RecordAsync(cluster, pod, EventRecorder.Warning, "FailedScheduling", message, DefaultSchedulerName, cancellationToken);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Binding pod {Pod} to node {Node} failed; scheduling it again")]
    private static partial void LogBindingFailed(ILogger logger, Exception exception, string pod, string node);
}
