using System.Text.Json.Nodes;
using Berth.Agent.Pods;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// Runs one pod of each DaemonSet on every node that should run it, as kube-controller-manager's DaemonSet
/// controller does: nodes are judged by the scheduler's own node selector, affinity and taint checks
/// (<see cref="DaemonPods"/>); each pod is made for its node through a required node affinity on the node's name and
/// bound by the scheduler; pods on nodes that no longer qualify, surplus pods on a node (all but the oldest) and
/// finished pods are deleted, failed ones with a back-off per node. Templates are versioned as ControllerRevisions,
/// and RollingUpdate replaces old pods within <c>maxUnavailable</c> or <c>maxSurge</c> (<see cref="DaemonSetRollout"/>);
/// OnDelete waits for pods to be deleted.
/// </summary>
internal sealed partial class DaemonSetController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<DaemonSetController> logger) : IController
{
    private const int BurstReplicas = 250;
    private const string Component = "daemonset-controller";

    private readonly WorkQueue<string> _queue = new(time);
    private readonly Expectations _expectations = new(time);
    private readonly BackOff _failedPods = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15), time);

    private ControlledObjects? _controlled;
    private ControlledObjects? _controlledRevisions;
    private PodControl? _podControl;
    private ControllerRevisions? _revisionWriter;
    private ObjectInformer? _sets;
    private ObjectInformer? _pods;
    private ObjectInformer? _nodes;
    private ObjectInformer? _revisions;

    public string Name => "daemonset";

    private ResourceType Sets => registry.Find("apps", "v1", "daemonsets")!;

    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _controlled = new ControlledObjects(objects, cluster, Pods);
        _podControl = new PodControl(objects, events, cluster, Pods, Component);
        _revisionWriter = new ControllerRevisions(objects, registry, cluster);
        _sets = informers.Watch(ObjectStorage.Prefix(cluster, Sets, null), change => _queue.Add(change.Key));
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, Pods, null), change => _controlled!.Route(change, Sets, _sets!, _queue, _expectations));
        _nodes = informers.Watch(ObjectStorage.Prefix(cluster, registry.Find("", "v1", "nodes")!, null), OnNodeChange);
        var revisions = registry.Find("apps", "v1", "controllerrevisions")!;
        _controlledRevisions = new ControlledObjects(objects, cluster, revisions);
        _revisions = informers.Watch(ObjectStorage.Prefix(cluster, revisions, null), _controlledRevisions.Observe);
        return ControllerLoop.RunAsync(Name, [_sets, _pods, _nodes, _revisions], _queue, ReconcileAsync, logger, cancellationToken);
    }

    /// <summary>A node change queues the sets for which it changes whether the node should run their pod.</summary>
    private void OnNodeChange(ObjectChange change)
    {
        if (change.Old is { } old && change.New is { } now
            && JsonNode.DeepEquals(old["metadata"]?["labels"], now["metadata"]?["labels"]) && JsonNode.DeepEquals(old["spec"]?["taints"], now["spec"]?["taints"]))
        {
            return;
        }
        foreach (var (key, set) in _sets!.Objects)
        {
            if (change.Old is null || change.New is null || DaemonPods.ShouldRun(change.Old, set) != DaemonPods.ShouldRun(change.New, set))
            {
                _queue.Add(key);
            }
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_sets!.Get(key) is not { } set)
        {
            _expectations.Forget(key);
            return;
        }
        if (set["metadata"]?["deletionTimestamp"] is not null)
        {
            return; // the garbage collector removes its pods
        }
        var nodes = _nodes!.Objects.Select(n => n.Value).OrderBy(n => n["metadata"]?["name"].AsText(), StringComparer.Ordinal).ToList();
        var selector = LabelSelector.FromObject(set["spec"]?["selector"]);
        // the history is claimed as pods are, so a set made again over orphaned revisions takes them back
        var history = (await _controlledRevisions!.ClaimAsync(_revisions!, set, selector, FieldOwner.ControllerManager, cancellationToken))
            .OrderBy(r => r["revision"].AsLong() ?? 0).ToList();
        var current = await _revisionWriter!.CurrentAsync(set, history, cancellationToken);
        var hash = RevisionHash(set, current);
        var pods = await _controlled!.ClaimAsync(_pods!, set, selector, FieldOwner.ControllerManager, cancellationToken);
        if (!_expectations.Satisfied(key))
        {
            await UpdateStatusAsync(set, nodes, pods, hash, observed: false, cancellationToken);
            return;
        }

        await ManageAsync(key, set, nodes, pods, hash, cancellationToken);
        if (_expectations.Satisfied(key) && set["spec"]?["updateStrategy"]?["type"].AsText() == "RollingUpdate")
        {
            await RollOutAsync(key, set, nodes, pods, hash, cancellationToken);
        }

        var setName = set["metadata"]!["name"]!.GetValue<string>();
        var live = pods.Select(p => p["metadata"]?["labels"]?[ControllerRevisions.HashLabel].AsText()).OfType<string>()
            .Select(h => $"{setName}-{h}").Append(current["metadata"]!["name"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        if (!history.Any(r => r["metadata"]?["uid"].AsText() == current["metadata"]?["uid"].AsText()))
        {
            history.Add(current);
        }
        await _revisionWriter.TruncateAsync(history, set["spec"]?["revisionHistoryLimit"].AsLong() ?? 10, live, cancellationToken);
        await UpdateStatusAsync(set, nodes, pods, hash, observed: true, cancellationToken);
    }

    /// <summary>The hash that names the current revision and labels its pods.</summary>
    private static string RevisionHash(JsonObject set, JsonObject revision) =>
        revision["metadata"]?["labels"]?[ControllerRevisions.HashLabel].AsText()
        ?? revision["metadata"]!["name"]!.GetValue<string>()[(set["metadata"]!["name"]!.GetValue<string>().Length + 1)..];

    /// <summary>The set's pods by the node each is for; finished pods already being deleted are left out unless asked for.</summary>
    private static Dictionary<string, List<JsonObject>> ByNode(IEnumerable<JsonObject> pods, bool withDeletedFinished)
    {
        var byNode = new Dictionary<string, List<JsonObject>>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (!withDeletedFinished && pod["metadata"]?["deletionTimestamp"] is not null && pod["status"]?["phase"].AsText() is "Succeeded" or "Failed")
            {
                continue;
            }
            if (DaemonPods.TargetNode(pod) is { } node)
            {
                (byNode.TryGetValue(node, out var list) ? list : byNode[node] = []).Add(pod);
            }
        }
        return byNode;
    }

    /// <summary>One pass over the nodes: the pods missing made, those not wanted deleted.</summary>
    private async Task ManageAsync(string key, JsonObject set, List<JsonObject> nodes, List<JsonObject> pods, string hash, CancellationToken cancellationToken)
    {
        var byNode = ByNode(pods, withDeletedFinished: false);
        var create = new List<string>();
        var delete = new List<JsonObject>();
        foreach (var node in nodes)
        {
            var nodeName = node["metadata"]!["name"]!.GetValue<string>();
            var (shouldRun, shouldContinue) = DaemonPods.ShouldRun(node, set);
            var onNode = byNode.GetValueOrDefault(nodeName) ?? [];
            if (shouldRun && onNode.Count == 0)
            {
                create.Add(nodeName);
            }
            else if (shouldContinue)
            {
                delete.AddRange(await SurplusAsync(key, set, nodeName, onNode, hash, cancellationToken));
            }
            else
            {
                delete.AddRange(onNode.Where(p => p["metadata"]?["deletionTimestamp"] is null));
            }
        }
        await SyncNodesAsync(key, set, delete, create, hash, cancellationToken);
    }

    /// <summary>
    /// The pods to delete on a node that keeps the set's pod: finished ones (failed ones once their back-off allows),
    /// and all running ones but the oldest — or, with surge, but the oldest old and oldest new while the update there
    /// is under way.
    /// </summary>
    private async Task<List<JsonObject>> SurplusAsync(string key, JsonObject set, string nodeName, List<JsonObject> onNode, string hash,
        CancellationToken cancellationToken)
    {
        var delete = new List<JsonObject>();
        var running = new List<JsonObject>();
        foreach (var pod in onNode.Where(p => p["metadata"]?["deletionTimestamp"] is null))
        {
            switch (pod["status"]?["phase"].AsText())
            {
                case "Failed":
                    // a kubelet that keeps refusing the pod must not make the two fight in a hot loop
                    var backoffKey = $"{set["metadata"]!["uid"].AsText()}/{set["status"]?["observedGeneration"].AsLong() ?? 0}/{nodeName}";
                    if (_failedPods.InBackOffSinceUpdate(backoffKey, out _))
                    {
                        _queue.AddAfter(key, _failedPods.Delay(backoffKey));
                        continue;
                    }
                    _failedPods.Next(backoffKey, time.GetUtcNow());
                    await events.RecordAsync(cluster, set, EventRecorder.Warning, "FailedDaemonPod",
                        $"Found failed daemon pod {pod["metadata"]!["namespace"].AsText()}/{pod["metadata"]!["name"].AsText()} on node {nodeName}, will try to kill it",
                        Component, cancellationToken);
                    delete.Add(pod);
                    break;
                case "Succeeded":
                    delete.Add(pod);
                    break;
                default:
                    running.Add(pod);
                    break;
            }
        }
        if (running.Count <= 1)
        {
            return delete;
        }
        var oldestFirst = DaemonPods.OldestFirst(running).ToList();
        if (DaemonSetRollout.Budget(set, 1).Surge == 0)
        {
            return [.. delete, .. oldestFirst.Skip(1)];
        }
        // with surge, a node may hold one old and one new pod while the update there goes on
        var generation = DaemonPods.TemplateGeneration(set);
        var oldestNew = oldestFirst.FirstOrDefault(p => DaemonPods.IsUpdated(p, hash, generation));
        var oldestOld = oldestFirst.FirstOrDefault(p => !DaemonPods.IsUpdated(p, hash, generation));
        delete.AddRange(oldestFirst.Where(p => p != oldestNew && p != oldestOld));
        var minReady = TimeSpan.FromSeconds(set["spec"]?["minReadySeconds"].AsLong() ?? 0);
        if (oldestNew is not null && oldestOld is not null
            && (!DaemonPods.IsAvailable(oldestOld, TimeSpan.Zero, time.GetUtcNow()) || DaemonPods.IsAvailable(oldestNew, minReady, time.GetUtcNow())))
        {
            delete.Add(oldestOld);
        }
        return delete;
    }

    /// <summary>The rolling update's step, once the pass's own creations and deletions have been seen.</summary>
    private async Task RollOutAsync(string key, JsonObject set, List<JsonObject> nodes, List<JsonObject> pods, string hash, CancellationToken cancellationToken)
    {
        var byNode = ByNode(pods, withDeletedFinished: false);
        var shouldRun = nodes.Where(n => DaemonPods.ShouldRun(n, set).ShouldRun).Select(n => n["metadata"]!["name"]!.GetValue<string>())
            .ToHashSet(StringComparer.Ordinal);
        foreach (var nodeName in shouldRun)
        {
            byNode.TryAdd(nodeName, []);
        }
        var (surge, unavailable) = DaemonSetRollout.Budget(set, shouldRun.Count);
        var rollout = new DaemonSetRollout(hash, DaemonPods.TemplateGeneration(set), TimeSpan.FromSeconds(set["spec"]?["minReadySeconds"].AsLong() ?? 0), time.GetUtcNow());
        var step = rollout.Plan(byNode, surge, unavailable, shouldRun.Contains);
        await SyncNodesAsync(key, set, step.Delete, step.Create, hash, cancellationToken);
    }

    /// <summary>Makes a pod for each of <paramref name="create"/> and deletes <paramref name="delete"/>, expecting to see each.</summary>
    private async Task SyncNodesAsync(string key, JsonObject set, List<JsonObject> delete, List<string> create, string hash, CancellationToken cancellationToken)
    {
        var creations = Math.Min(create.Count, BurstReplicas);
        var deletions = Math.Min(delete.Count, BurstReplicas);
        _expectations.Expect(key, creations, deletions);
        var generation = DaemonPods.TemplateGeneration(set);
        var missed = await SlowStart.RunAsync(creations,
            async i => await _podControl!.CreateAsync(set, DaemonPods.NewPod(set, create[i], hash, generation), cancellationToken) is not null);
        for (var i = 0; i < missed; i++)
        {
            _expectations.Created(key); // neither a failed creation nor one never tried will be observed
        }
        await Task.WhenAll(delete.Take(deletions).Select(async pod =>
        {
            if (!await _podControl!.DeleteAsync(set, pod, cancellationToken))
            {
                _expectations.Deleted(key); // already gone, or replaced by another pod of that name
            }
        }));
    }
}
