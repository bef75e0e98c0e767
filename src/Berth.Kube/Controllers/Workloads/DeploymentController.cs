using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// Rolls each Deployment out through ReplicaSets, as kube-controller-manager's Deployment controller does: one
/// ReplicaSet per pod template (named by <see cref="PodTemplateHash"/>), numbered by revision; RollingUpdate grows
/// the new set within <c>maxSurge</c> and shrinks the old ones within <c>maxUnavailable</c>, Recreate empties the
/// old ones before the new one starts; a resize mid-rollout is shared among the running sets; a paused Deployment
/// only scales; old sets beyond <c>revisionHistoryLimit</c> are deleted; <c>status</c> carries the counts and the
/// Available and Progressing conditions that <c>kubectl rollout status</c> reads, with the progress deadline.
/// </summary>
internal sealed partial class DeploymentController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events,
    string cluster, TimeProvider time, ILogger<DeploymentController> logger) : IController
{
    private const string Component = "deployment-controller";

    private readonly WorkQueue<string> _queue = new(time);
    private ControlledObjects? _controlled;
    private ObjectInformer? _deployments;
    private ObjectInformer? _sets;

    public string Name => "deployment";

    private ResourceType Deployments => registry.Find("apps", "v1", "deployments")!;

    private ResourceType Sets => registry.Find("apps", "v1", "replicasets")!;

    /// <summary>One reconcile's view: the Deployment and its sets, replaced by what each write returns.</summary>
    private sealed class Rollout(JsonObject deployment, List<JsonObject> sets)
    {
        public JsonObject Deployment { get; set; } = deployment;

        public List<JsonObject> Sets { get; } = sets;

        public JsonObject? New { get; set; }

        public JsonNode Spec => Deployment["spec"]!;

        public long Replicas => Spec["replicas"].AsLong() ?? 1;

        public bool Rolling => Spec["strategy"]?["type"].AsText() != "Recreate";

        public (long Surge, long Unavailable) Fenceposts => Rolling
            ? RolloutArithmetic.Fenceposts(Spec["strategy"]?["rollingUpdate"]?["maxSurge"], Spec["strategy"]?["rollingUpdate"]?["maxUnavailable"], Replicas)
            : (0, 0);

        /// <summary>The pods the Deployment may be short of its size, as deploymentutil.MaxUnavailable.</summary>
        public long MaxUnavailable => Replicas == 0 ? 0 : Math.Min(Fenceposts.Unavailable, Replicas);

        public IEnumerable<JsonObject> Old => Sets.Where(s => !ReferenceEquals(s, New));

        public void Replace(JsonObject before, JsonObject after)
        {
            Sets[Sets.IndexOf(before)] = after;
            if (ReferenceEquals(New, before))
            {
                New = after;
            }
        }
    }

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _controlled = new ControlledObjects(objects, cluster, Sets);
        _deployments = informers.Watch(ObjectStorage.Prefix(cluster, Deployments, null), change => _queue.Add(change.Key));
        _sets = informers.Watch(ObjectStorage.Prefix(cluster, Sets, null), OnSetChange);
        return ControllerLoop.RunAsync(Name, [_deployments, _sets], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private void OnSetChange(ObjectChange change)
    {
        _controlled!.Observe(change);
        var set = change.New ?? change.Old!;
        if (_controlled.ControllerKey(set, Deployments) is { } key)
        {
            _queue.Add(key);
            if (change is { Old: { } old, New: not null } && _controlled.ControllerKey(old, Deployments) is { } oldKey && oldKey != key)
            {
                _queue.Add(oldKey);
            }
        }
        else if (change.New is not null)
        {
            foreach (var deploymentKey in ControlledObjects.OwnersThatMayAdopt(_deployments!, set))
            {
                _queue.Add(deploymentKey);
            }
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_deployments!.Get(key) is not { } deployment)
        {
            return;
        }
        var selector = LabelSelector.FromObject(deployment["spec"]?["selector"]);
        var sets = await _controlled!.ClaimAsync(_sets!, deployment, selector, FieldOwner.ControllerManager, cancellationToken);
        var rollout = new Rollout((JsonObject)deployment.DeepClone(), sets);
        if (deployment["metadata"]?["deletionTimestamp"] is not null)
        {
            rollout.New = FindNew(rollout);
            await SyncStatusAsync(rollout, cancellationToken);
            return;
        }
        if (await SyncPausedConditionAsync(rollout, cancellationToken))
        {
            return; // the status write brings the Deployment back
        }
        if (rollout.Spec["paused"]?.GetValue<bool>() == true || await IsScalingEventAsync(rollout, cancellationToken))
        {
            await ScaleAsync(rollout, cancellationToken);
            return;
        }
        if (rollout.Rolling)
        {
            await RollingUpdateAsync(rollout, cancellationToken);
        }
        else
        {
            await RecreateAsync(rollout, cancellationToken);
        }
    }

    /// <summary>A change of size alone: some running set was last sized for another number of replicas.</summary>
    private async Task<bool> IsScalingEventAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        await SyncRevisionAsync(rollout, create: false, cancellationToken);
        return rollout.Sets.Any(s => Counts(s).Replicas > 0
            && Annotation(s, DeploymentAnnotations.DesiredReplicas) is { } desired && desired != rollout.Replicas);
    }

    private async Task RollingUpdateAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        if (!await SyncRevisionAsync(rollout, create: true, cancellationToken))
        {
            return;
        }
        if (await ScaleUpNewAsync(rollout, cancellationToken) || await ScaleDownOldAsync(rollout, cancellationToken))
        {
            await SyncRolloutStatusAsync(rollout, cancellationToken);
            return;
        }
        if (IsComplete(rollout.Deployment, rollout.Deployment["status"]))
        {
            await CleanUpAsync(rollout, cancellationToken);
        }
        await SyncRolloutStatusAsync(rollout, cancellationToken);
    }

    private async Task<bool> ScaleUpNewAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        var newSet = Counts(rollout.New!);
        if (newSet.Replicas == rollout.Replicas)
        {
            return false;
        }
        var size = newSet.Replicas > rollout.Replicas
            ? rollout.Replicas
            : RolloutArithmetic.NewReplicaSetSize(rollout.Replicas, rollout.Fenceposts.Surge, newSet.Replicas, rollout.Sets.Select(Counts));
        return await ScaleSetAsync(rollout, rollout.New!, size, cancellationToken);
    }

    /// <summary>
    /// Shrinks the old sets as far as availability allows: first the pods that are not available anyway (they
    /// cost nothing), then available ones down to the Deployment's minimum, oldest set first.
    /// </summary>
    private async Task<bool> ScaleDownOldAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        if (rollout.Old.Sum(s => Counts(s).Replicas) == 0)
        {
            return false;
        }
        var maxScaleDown = RolloutArithmetic.MaxScaleDown(rollout.Replicas, rollout.MaxUnavailable, [.. rollout.Sets.Select(Counts)], Counts(rollout.New!));
        if (maxScaleDown <= 0)
        {
            return false;
        }
        long cleaned = 0;
        foreach (var set in OldestFirst(rollout.Old))
        {
            var counts = Counts(set);
            var unhealthy = counts.Replicas - counts.Available;
            if (cleaned >= maxScaleDown)
            {
                break;
            }
            if (counts.Replicas == 0 || unhealthy <= 0)
            {
                continue;
            }
            var down = Math.Min(maxScaleDown - cleaned, unhealthy);
            await ScaleSetAsync(rollout, set, counts.Replicas - down, cancellationToken);
            cleaned += down;
        }
        var minAvailable = rollout.Replicas - rollout.MaxUnavailable;
        var available = rollout.Sets.Sum(s => Counts(s).Available);
        long scaledDown = 0;
        if (available > minAvailable)
        {
            var total = available - minAvailable;
            foreach (var set in OldestFirst(rollout.Old))
            {
                var counts = Counts(set);
                if (scaledDown >= total)
                {
                    break;
                }
                if (counts.Replicas == 0)
                {
                    continue;
                }
                var down = Math.Min(counts.Replicas, total - scaledDown);
                await ScaleSetAsync(rollout, set, counts.Replicas - down, cancellationToken);
                scaledDown += down;
            }
        }
        return cleaned + scaledDown > 0;
    }

    /// <summary>Recreate: every old set to zero, and the new one only once no old pod is left.</summary>
    private async Task RecreateAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        await SyncRevisionAsync(rollout, create: false, cancellationToken);
        var scaled = false;
        foreach (var set in rollout.Old.Where(s => Counts(s).Replicas > 0).ToList())
        {
            scaled |= await ScaleSetAsync(rollout, set, 0, cancellationToken);
        }
        if (scaled || rollout.Old.Any(s => Counts(s).Current > 0))
        {
            await SyncRolloutStatusAsync(rollout, cancellationToken);
            return;
        }
        if (rollout.New is null && !await SyncRevisionAsync(rollout, create: true, cancellationToken))
        {
            return;
        }
        await ScaleSetAsync(rollout, rollout.New!, rollout.Replicas, cancellationToken);
        if (IsComplete(rollout.Deployment, rollout.Deployment["status"]))
        {
            await CleanUpAsync(rollout, cancellationToken);
        }
        await SyncRolloutStatusAsync(rollout, cancellationToken);
    }

    /// <summary>
    /// A resize, or any change to a paused Deployment: a single running set takes the new size; a saturated new
    /// set lets the old ones go to zero; otherwise the difference is shared in proportion.
    /// </summary>
    private async Task ScaleAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        await SyncRevisionAsync(rollout, create: false, cancellationToken);
        var active = rollout.Sets.Where(s => Counts(s).Replicas > 0).ToList();
        var activeOrLatest = active.Count switch
        {
            0 => rollout.New ?? OldestFirst(rollout.Old).LastOrDefault(),
            1 => active[0],
            _ => null,
        };
        if (activeOrLatest is not null)
        {
            if (Counts(activeOrLatest).Replicas != rollout.Replicas)
            {
                await ScaleSetAsync(rollout, activeOrLatest, rollout.Replicas, cancellationToken);
            }
        }
        else if (rollout.New is { } newSet && IsSaturated(rollout, newSet))
        {
            foreach (var set in rollout.Old.Where(s => Counts(s).Replicas > 0).ToList())
            {
                await ScaleSetAsync(rollout, set, 0, cancellationToken);
            }
        }
        else if (rollout.Rolling)
        {
            var surge = rollout.Fenceposts.Surge;
            var allowed = rollout.Replicas > 0 ? rollout.Replicas + surge : 0;
            var counts = active.Select(Counts).ToList();
            var sizes = RolloutArithmetic.Proportional(counts, rollout.Replicas, surge,
                rollout.Deployment["status"]?["replicas"].AsLong() ?? 0, allowed - counts.Sum(c => c.Replicas));
            foreach (var set in active)
            {
                await ScaleSetAsync(rollout, set, sizes[Counts(set).Name], cancellationToken);
            }
        }
        if (rollout.Spec["paused"]?.GetValue<bool>() == true)
        {
            await CleanUpAsync(rollout, cancellationToken);
        }
        await SyncStatusAsync(rollout, cancellationToken);
    }

    private static bool IsSaturated(Rollout rollout, JsonObject newSet)
    {
        var counts = Counts(newSet);
        return counts.Replicas == rollout.Replicas && Annotation(newSet, DeploymentAnnotations.DesiredReplicas) == rollout.Replicas
            && counts.Available == rollout.Replicas;
    }

    /// <summary>Deletes the emptied old sets beyond <c>revisionHistoryLimit</c>, lowest revision first.</summary>
    private async Task CleanUpAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        if (rollout.Spec["revisionHistoryLimit"].AsLong() is not { } limit)
        {
            return;
        }
        var cleanable = rollout.Old
            .Where(s => Counts(s).Replicas == 0 && Counts(s).Current == 0 && s["metadata"]?["deletionTimestamp"] is null
                && (s["metadata"]?["generation"].AsLong() ?? 0) <= (s["status"]?["observedGeneration"].AsLong() ?? 0))
            .OrderBy(s => Annotation(s, DeploymentAnnotations.Revision) ?? 0)
            .ToList();
        foreach (var set in cleanable.Take((int)Math.Max(0, cleanable.Count - limit)))
        {
            var metadata = set["metadata"]!;
            try
            {
                await objects.DeleteObjectAsync(cluster, Sets, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
                    DeleteOptions.Default with { PreconditionUid = metadata["uid"].AsText() }, cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
            {
                // already gone
            }
        }
    }

    private static IEnumerable<JsonObject> OldestFirst(IEnumerable<JsonObject> sets) =>
        sets.OrderBy(s => s["metadata"]?["creationTimestamp"].AsText(), StringComparer.Ordinal)
            .ThenBy(s => s["metadata"]?["name"].AsText(), StringComparer.Ordinal);

    private static ReplicaSetCounts Counts(JsonObject set) => new(
        set["metadata"]!["name"]!.GetValue<string>(),
        set["spec"]?["replicas"].AsLong() ?? 1,
        set["status"]?["replicas"].AsLong() ?? 0,
        set["status"]?["readyReplicas"].AsLong() ?? 0,
        set["status"]?["availableReplicas"].AsLong() ?? 0,
        Annotation(set, DeploymentAnnotations.MaxReplicas),
        set["metadata"]?["creationTimestamp"].AsText() ?? "");

    private static long? Annotation(JsonObject obj, string name) =>
        long.TryParse(obj["metadata"]?["annotations"]?[name].AsText(), out var value) ? value : null;
}
