using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Kube.Resources.Policy;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Disruption;

/// <summary>
/// Keeps each PodDisruptionBudget's status, as kube-controller-manager's disruption controller does: the pods its
/// selector picks, how many it expects (<see cref="DisruptionArithmetic"/>, with <see cref="ControllerScales"/> for
/// percentages and <c>maxUnavailable</c>), how many are healthy (Ready, not being deleted, not just evicted), and so how
/// many disruptions it allows, with the <c>DisruptionAllowed</c> condition. Evictions (the <c>pods/eviction</c>
/// subresource) enter pods in <c>disruptedPods</c>; an entry whose pod is not deleted within two minutes is dropped.
/// A pod whose eviction never completed loses its <c>DisruptionTarget</c> condition after two minutes too.
/// </summary>
internal sealed partial class DisruptionController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<DisruptionController> logger) : IController
{
    /// <summary>How long an eviction's <c>disruptedPods</c> entry is trusted to become a deletion (the controller's DeletionTimeout).</summary>
    public static readonly TimeSpan DeletionTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long a pod may carry a <c>DisruptionTarget</c> condition without being deleted.</summary>
    private static readonly TimeSpan s_stalePodDisruptionTimeout = TimeSpan.FromMinutes(2);

    private const string Component = "controllermanager";

    private readonly WorkQueue<string> _queue = new(time);

    /// <summary>The keys of the pods in each namespace.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, bool>> _podsByNamespace = new(StringComparer.Ordinal);

    /// <summary>Each budget's selector, parsed once per change of the budget rather than once per pod change.</summary>
    private readonly ConcurrentDictionary<string, LabelSelector?> _selectors = new(StringComparer.Ordinal);

    private ObjectInformer? _budgets;
    private ObjectInformer? _pods;
    private ControllerScales? _scales;

    public string Name => "disruption";

    private ResourceType Budgets => registry.Find("policy", "v1", "poddisruptionbudgets")!;

    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _scales = new ControllerScales(objects, registry, cluster);
        _budgets = informers.Watch(ObjectStorage.Prefix(cluster, Budgets, null), OnBudgetChange);
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, Pods, null), OnPodChange);
        return ControllerLoop.RunAsync(Name, [_budgets, _pods], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private void OnBudgetChange(ObjectChange change)
    {
        if (change.New is null)
        {
            _selectors.TryRemove(change.Key, out _);
        }
        else
        {
            _selectors[change.Key] = SelectorOf(change.New);
        }
        _queue.Add(change.Key);
    }

    private void OnPodChange(ObjectChange change)
    {
        var ns = (change.New ?? change.Old)!["metadata"]?["namespace"].AsText() ?? "";
        var inNamespace = _podsByNamespace.GetOrAdd(ns, _ => new(StringComparer.Ordinal));
        if (change.New is null)
        {
            inNamespace.TryRemove(change.Key, out _);
        }
        else
        {
            inNamespace[change.Key] = true;
        }
        foreach (var budget in BudgetsOf(change.New).Concat(LabelsChanged(change) ? BudgetsOf(change.Old) : []))
        {
            _queue.Add(budget);
        }
        if (change.New is { } pod && StaleDisruption(pod, time.GetUtcNow()) is { } wait)
        {
            _queue.AddAfter(change.Key, wait);
        }
    }

    private static bool LabelsChanged(ObjectChange change) =>
        change.Old is not null && !JsonNode.DeepEquals(change.Old["metadata"]?["labels"], change.New?["metadata"]?["labels"]);

    /// <summary>The keys of the budgets in the pod's namespace whose selector picks it.</summary>
    private List<string> BudgetsOf(JsonObject? pod)
    {
        if (pod is null)
        {
            return [];
        }
        var prefix = ObjectStorage.Prefix(cluster, Budgets, pod["metadata"]?["namespace"].AsText());
        return [.. _selectors.Where(b => b.Key.StartsWith(prefix, StringComparison.Ordinal) && b.Value?.Matches(pod) == true).Select(b => b.Key)];
    }

    /// <summary>A budget's selector; none selects nothing, an empty one everything in the namespace.</summary>
    private static LabelSelector? SelectorOf(JsonObject budget)
    {
        if (budget["spec"]?["selector"] is not JsonObject selector)
        {
            return null;
        }
        try
        {
            return LabelSelector.FromObject(selector);
        }
        catch (KubeApiException)
        {
            return null; // a selector that cannot be read picks no pod; the budget's own sync reports it
        }
    }

    private Task ReconcileAsync(string key, CancellationToken cancellationToken) =>
        key.StartsWith(ObjectStorage.Prefix(cluster, Pods, null), StringComparison.Ordinal)
            ? ClearStaleDisruptionAsync(key, cancellationToken)
            : SyncAsync(key, cancellationToken);

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        if (_budgets!.Get(key) is not { } budget)
        {
            return;
        }
        var ns = budget["metadata"]!["namespace"].AsText() ?? "";
        List<JsonObject> pods;
        try
        {
            pods = PodsOf(budget, ns);
        }
        catch (KubeApiException e)
        {
            await events.RecordAsync(cluster, budget, EventRecorder.Warning, "NoPods", $"Failed to get pods: {e.Message}", Component, cancellationToken);
            await FailSafeAsync(budget, e.Message, cancellationToken);
            return;
        }
        if (pods.Count == 0)
        {
            await events.RecordAsync(cluster, budget, EventRecorder.Normal, "NoPods", "No matching pods found", Component, cancellationToken);
        }
        BudgetCounts counts;
        try
        {
            counts = await CountsAsync(budget, pods, cancellationToken);
        }
        catch (BudgetCalculationException e)
        {
            await events.RecordAsync(cluster, budget, EventRecorder.Warning, "CalculateExpectedPodCountFailed",
                $"Failed to calculate the number of expected pods: {e.Message}", Component, cancellationToken);
            await FailSafeAsync(budget, e.Message, cancellationToken);
            return;
        }
        var now = time.GetUtcNow();
        var (disrupted, recheck) = await DisruptedPodsAsync(budget, pods, now, cancellationToken);
        var healthy = pods.Count(p => p["metadata"]?["deletionTimestamp"] is null && !disrupted.ContainsKey(PodName(p))
            && PodConditions.IsTrue(p, PodConditions.Ready));
        await UpdateStatusAsync(budget, healthy, counts, disrupted, now, cancellationToken);
        if (recheck is { } due)
        {
            _queue.AddAfter(key, due - now);
        }
    }

    /// <summary>The pods the budget's selector picks in its namespace; a selector that cannot be read fails the sync.</summary>
    private List<JsonObject> PodsOf(JsonObject budget, string ns)
    {
        if (budget["spec"]?["selector"] is not JsonObject selectorObject)
        {
            return [];
        }
        var selector = LabelSelector.FromObject(selectorObject);
        return [.. (_podsByNamespace.GetValueOrDefault(ns)?.Keys ?? []).Select(_pods!.Get).OfType<JsonObject>().Where(selector.Matches)];
    }

    private async Task<BudgetCounts> CountsAsync(JsonObject budget, List<JsonObject> pods, CancellationToken cancellationToken)
    {
        var spec = budget["spec"];
        if (!DisruptionArithmetic.NeedsScale(spec))
        {
            return DisruptionArithmetic.Counts(spec, pods.Count, 0);
        }
        var (scale, unmanaged) = await _scales!.SumAsync(pods, cancellationToken);
        if (unmanaged.Count > 0)
        {
            await events.RecordAsync(cluster, budget, EventRecorder.Warning, "UnmanagedPods",
                $"Pods selected by this PodDisruptionBudget (selector: {LabelSelector.Format(spec?["selector"])}) were found to be unmanaged. "
                + "As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "
                + "To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.", Component, cancellationToken);
        }
        return DisruptionArithmetic.Counts(spec, pods.Count, scale);
    }

    /// <summary>
    /// The <c>disruptedPods</c> entries still to be trusted: of pods that exist and are not being deleted yet, evicted
    /// less than <see cref="DeletionTimeout"/> ago; and when the first of them runs out.
    /// </summary>
    private async Task<(SortedDictionary<string, string> Disrupted, DateTimeOffset? Recheck)> DisruptedPodsAsync(JsonObject budget,
        List<JsonObject> pods, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var disrupted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        DateTimeOffset? recheck = null;
        if (budget["status"]?["disruptedPods"] is not JsonObject entries)
        {
            return (disrupted, recheck);
        }
        foreach (var pod in pods.Where(p => p["metadata"]?["deletionTimestamp"] is null))
        {
            if (entries[PodName(pod)] is not { } entry || KubeTime.Parse(entry) is not { } at)
            {
                continue;
            }
            var expectedDeletion = at + DeletionTimeout;
            if (expectedDeletion < now)
            {
                var metadata = budget["metadata"]!;
                await events.RecordAsync(cluster, pod, EventRecorder.Warning, "NotDeleted",
                    $"Pod was expected by PDB {metadata["namespace"].AsText()}/{metadata["name"].AsText()} to be deleted but it wasn't", Component, cancellationToken);
                continue;
            }
            recheck = recheck is null || expectedDeletion < recheck ? expectedDeletion : recheck;
            disrupted[PodName(pod)] = entry.AsText()!;
        }
        return (disrupted, recheck);
    }

    private async Task UpdateStatusAsync(JsonObject budget, long healthy, BudgetCounts counts, SortedDictionary<string, string> disrupted,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var allowed = DisruptionArithmetic.DisruptionsAllowed(healthy, counts.DesiredHealthy, counts.ExpectedPods);
        var current = budget["status"];
        var generation = budget["metadata"]?["generation"].AsLong() ?? 0;
        var disruptedNode = new JsonObject(disrupted.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value)));
        if (current?["currentHealthy"].AsLong() == healthy && current["desiredHealthy"].AsLong() == counts.DesiredHealthy
            && current["expectedPods"].AsLong() == counts.ExpectedPods && current["disruptionsAllowed"].AsLong() == allowed
            && JsonNode.DeepEquals(current["disruptedPods"] ?? new JsonObject(), disruptedNode)
            && DisruptionBudgetConditions.AreUpToDate(budget))
        {
            return;
        }
        var status = new JsonObject { ["observedGeneration"] = generation };
        if (disrupted.Count > 0)
        {
            status["disruptedPods"] = disruptedNode;
        }
        status["disruptionsAllowed"] = allowed;
        status["currentHealthy"] = healthy;
        status["desiredHealthy"] = counts.DesiredHealthy;
        status["expectedPods"] = counts.ExpectedPods;
        status["conditions"] = current?["conditions"]?.DeepClone() ?? new JsonArray();
        await WriteStatusAsync(budget, status, updated => DisruptionBudgetConditions.UpdateDisruptionAllowed(updated, now), cancellationToken);
    }

    /// <summary>
    /// After a failed sync, at least no more disruptions: <c>disruptionsAllowed</c> 0 and the condition SyncFailed with
    /// the failure, so that evictions wait until the budget can be counted again.
    /// </summary>
    private async Task FailSafeAsync(JsonObject budget, string message, CancellationToken cancellationToken)
    {
        LogSyncFailed(logger, budget["metadata"]?["namespace"].AsText(), budget["metadata"]?["name"].AsText(), message);
        var status = (JsonObject)(budget["status"]?.DeepClone() ?? new JsonObject());
        status["disruptionsAllowed"] = 0;
        var now = time.GetUtcNow();
        await WriteStatusAsync(budget, status,
            updated => DisruptionBudgetConditions.Set(updated, "False", DisruptionBudgetConditions.SyncFailed, message, now), cancellationToken);
    }

    /// <summary>Writes the status over the informer's copy, guarded by its resourceVersion: a Conflict sends the budget round again.</summary>
    private async Task WriteStatusAsync(JsonObject budget, JsonObject status, Action<JsonObject> conditions, CancellationToken cancellationToken)
    {
        var metadata = budget["metadata"]!;
        var revision = long.Parse(metadata["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await objects.UpdateStatusAsync(cluster, Budgets, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
            FieldOwner.ControllerManager, revision, updated =>
            {
                updated["status"] = status.DeepClone();
                conditions(updated);
                return updated;
            }, cancellationToken);
    }

    /// <summary>
    /// When a pod's <c>DisruptionTarget</c> condition goes stale: null when it has none to clear (no such condition,
    /// the kubelet's own, a pod being deleted or finished), else how long until it is stale.
    /// </summary>
    private static TimeSpan? StaleDisruption(JsonObject pod, DateTimeOffset now)
    {
        if (pod["metadata"]?["deletionTimestamp"] is not null || pod["status"]?["phase"].AsText() is "Succeeded" or "Failed"
            || PodConditions.Find(pod, PodConditions.DisruptionTarget) is not { } condition
            || condition["status"].AsText() != "True" || condition["reason"].AsText() == "TerminationByKubelet")
        {
            return null;
        }
        var since = KubeTime.Parse(condition["lastTransitionTime"]) ?? now;
        var wait = s_stalePodDisruptionTimeout - (now - since);
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>Sets a stale <c>DisruptionTarget</c> condition False: the disruption it announced did not happen.</summary>
    private async Task ClearStaleDisruptionAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_pods!.Get(key) is not { } pod || StaleDisruption(pod, now) is not { } wait)
        {
            return;
        }
        if (wait > TimeSpan.Zero)
        {
            _queue.AddAfter(key, wait);
            return;
        }
        var metadata = pod["metadata"]!;
        var revision = long.Parse(metadata["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        await objects.UpdateStatusAsync(cluster, Pods, metadata["namespace"].AsText(), PodName(pod), FieldOwner.ControllerManager, revision, current =>
        {
            var condition = PodConditions.Find(current, PodConditions.DisruptionTarget);
            PodConditions.Set(current, PodConditions.DisruptionTarget, "False", condition?["reason"].AsText(), condition?["message"].AsText(), now);
            return current;
        }, cancellationToken);
    }

    private static string PodName(JsonObject pod) => pod["metadata"]!["name"]!.GetValue<string>();

    [LoggerMessage(EventId = 3030, Level = LogLevel.Warning, Message = "Could not count the PodDisruptionBudget {Namespace}/{Name}: {Problem}; it allows no disruptions")]
    private static partial void LogSyncFailed(ILogger logger, string? @namespace, string? name, string problem);
}
