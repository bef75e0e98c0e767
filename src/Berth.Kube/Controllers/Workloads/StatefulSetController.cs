using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// Runs each StatefulSet's pods as kube-controller-manager's StatefulSet controller does: pods <c>&lt;set&gt;-0</c>,
/// <c>-1</c> … each with its own claims from the volume claim templates, which stay when the pod goes, so a pod
/// made again under the same name finds its data. With <c>OrderedReady</c> one pod at a time is created (in order,
/// each once the one before is Running and Ready) and removed (in reverse); <c>Parallel</c> does all at once.
/// Template changes roll out as ControllerRevisions: RollingUpdate replaces pods from the highest ordinal down
/// to the partition, one at a time and only while all are healthy; OnDelete waits for pods to be deleted.
/// </summary>
internal sealed class StatefulSetController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<StatefulSetController> logger) : IController
{
    private const string Component = "statefulset-controller";

    private readonly WorkQueue<string> _queue = new(time);
    private ControlledObjects? _controlled;
    private ControlledObjects? _controlledRevisions;
    private ControllerRevisions? _revisionWriter;
    private ObjectInformer? _sets;
    private ObjectInformer? _pods;
    private ObjectInformer? _claims;
    private ObjectInformer? _revisions;

    public string Name => "statefulset";

    private ResourceType Sets => registry.Find("apps", "v1", "statefulsets")!;

    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    private ResourceType Claims => registry.Find("", "v1", "persistentvolumeclaims")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _controlled = new ControlledObjects(objects, cluster, Pods);
        _revisionWriter = new ControllerRevisions(objects, registry, cluster);
        _sets = informers.Watch(ObjectStorage.Prefix(cluster, Sets, null), change => _queue.Add(change.Key));
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, Pods, null), change => _controlled!.Route(change, Sets, _sets!, _queue));
        _claims = informers.Watch(ObjectStorage.Prefix(cluster, Claims, null), _ => { });
        var revisions = registry.Find("apps", "v1", "controllerrevisions")!;
        _controlledRevisions = new ControlledObjects(objects, cluster, revisions);
        _revisions = informers.Watch(ObjectStorage.Prefix(cluster, revisions, null), _controlledRevisions.Observe);
        return ControllerLoop.RunAsync(Name, [_sets, _pods, _claims, _revisions], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_sets!.Get(key) is not { } set)
        {
            return;
        }
        var selector = LabelSelector.FromObject(set["spec"]?["selector"]);
        var pods = (await _controlled!.ClaimAsync(_pods!, set, selector, FieldOwner.ControllerManager, cancellationToken))
            .Where(p => StatefulSetIdentity.Ordinal(set, p) is not null)
            .ToList();
        // the history is claimed as pods are, so a set made again over orphaned revisions takes them back
        var history = (await _controlledRevisions!.ClaimAsync(_revisions!, set, selector, FieldOwner.ControllerManager, cancellationToken))
            .OrderBy(r => r["revision"].AsLong() ?? 0).ToList();
        if (set["metadata"]?["deletionTimestamp"] is not null)
        {
            await UpdateStatusAsync(set, pods, set["status"]?["currentRevision"].AsText() ?? "", set["status"]?["updateRevision"].AsText() ?? "", cancellationToken);
            return;
        }
        var update = await _revisionWriter!.CurrentAsync(set, history, cancellationToken);
        var updateName = update["metadata"]!["name"]!.GetValue<string>();
        if (!history.Any(r => r["metadata"]?["name"].AsText() == updateName))
        {
            history.Add(update);
        }
        var currentName = set["status"]?["currentRevision"].AsText() is { Length: > 0 } known && history.Any(r => r["metadata"]?["name"].AsText() == known)
            ? known : updateName;
        var current = history.First(r => r["metadata"]?["name"].AsText() == currentName);

        await ManagePodsAsync(set, pods, current, update, cancellationToken);
        await UpdateStatusAsync(set, pods, currentName, updateName, cancellationToken);

        var live = pods.Select(p => p["metadata"]?["labels"]?[ControllerRevisions.HashLabel].AsText()).OfType<string>()
            .Append(currentName).Append(updateName).ToHashSet(StringComparer.Ordinal);
        await _revisionWriter.TruncateAsync(history, set["spec"]?["revisionHistoryLimit"].AsLong() ?? 10, live, cancellationToken);
    }

    /// <summary>One pass of creations, deletions and updates; returns early where the ordered policy must wait.</summary>
    private async Task ManagePodsAsync(JsonObject set, List<JsonObject> pods, JsonObject current, JsonObject update, CancellationToken cancellationToken)
    {
        var spec = set["spec"] as JsonObject ?? [];
        var monotonic = spec["podManagementPolicy"].AsText() != "Parallel";
        var start = StatefulSetIdentity.Start(set);
        var replicas = (int)(spec["replicas"].AsLong() ?? 1);
        var byOrdinal = pods.ToDictionary(p => StatefulSetIdentity.Ordinal(set, p)!.Value);
        var rolling = spec["updateStrategy"]?["type"].AsText() != "OnDelete";
        var partition = rolling ? (int)(spec["updateStrategy"]?["rollingUpdate"]?["partition"].AsLong() ?? 0) : 0;

        // the pods that should exist, in order
        for (var ordinal = start; ordinal < start + replicas; ordinal++)
        {
            if (!byOrdinal.TryGetValue(ordinal, out var pod))
            {
                // below the partition, a pod made again keeps the revision it had
                var revision = rolling && ordinal - start < partition ? current : update;
                await CreatePodAsync(set, ordinal, revision, cancellationToken);
                if (monotonic)
                {
                    return;
                }
                continue;
            }
            if (pod["status"]?["phase"].AsText() is "Failed" or "Succeeded" && pod["metadata"]?["deletionTimestamp"] is null)
            {
                await events.RecordAsync(cluster, set, EventRecorder.Warning, "RecreatingFailedPod",
                    $"StatefulSet {set["metadata"]!["namespace"]}/{set["metadata"]!["name"]} is recreating failed Pod {pod["metadata"]!["name"]}", Component, cancellationToken);
                await DeletePodAsync(set, pod, cancellationToken);
                if (monotonic)
                {
                    return;
                }
                continue;
            }
            if (monotonic && (pod["metadata"]?["deletionTimestamp"] is not null || !PodAvailability.IsRunningAndReady(pod)))
            {
                return; // the next one waits for this one
            }
        }

        // the pods beyond the replicas, highest first, once the others are healthy
        var condemned = byOrdinal.Where(p => p.Key < start || p.Key >= start + replicas).OrderByDescending(p => p.Key).Select(p => p.Value).ToList();
        foreach (var pod in condemned)
        {
            if (pod["metadata"]?["deletionTimestamp"] is not null)
            {
                if (monotonic)
                {
                    return;
                }
                continue;
            }
            if (monotonic && pods.Any(p => p["metadata"]?["deletionTimestamp"] is not null || !PodAvailability.IsRunningAndReady(p)))
            {
                return;
            }
            await DeletePodAsync(set, pod, cancellationToken);
            if (monotonic)
            {
                return;
            }
        }
        if (!rolling)
        {
            return;
        }

        // a rolling update: the highest pod not at the update revision is replaced, once all are healthy
        var updateName = update["metadata"]!["name"]!.GetValue<string>();
        for (var ordinal = start + replicas - 1; ordinal >= start + partition; ordinal--)
        {
            if (!byOrdinal.TryGetValue(ordinal, out var pod))
            {
                return;
            }
            if (pod["metadata"]?["labels"]?[ControllerRevisions.HashLabel].AsText() != updateName && pod["metadata"]?["deletionTimestamp"] is null)
            {
                if (pods.All(p => p["metadata"]?["deletionTimestamp"] is null && PodAvailability.IsRunningAndReady(p)))
                {
                    await DeletePodAsync(set, pod, cancellationToken);
                }
                return;
            }
            if (pod["metadata"]?["deletionTimestamp"] is not null || !PodAvailability.IsRunningAndReady(pod))
            {
                return;
            }
        }
    }

    private async Task CreatePodAsync(JsonObject set, int ordinal, JsonObject revision, CancellationToken cancellationToken)
    {
        var ns = set["metadata"]!["namespace"]!.GetValue<string>();
        var setName = set["metadata"]!["name"]!.GetValue<string>();
        var podName = StatefulSetIdentity.PodName(set, ordinal);
        try
        {
            foreach (var claimTemplate in StatefulSetIdentity.ClaimTemplates(set))
            {
                var claim = StatefulSetIdentity.NewClaim(set, claimTemplate, ordinal);
                var claimName = claim["metadata"]!["name"]!.GetValue<string>();
                if (_claims!.Get(ObjectStorage.Key(cluster, Claims, ns, claimName)) is not null)
                {
                    continue;
                }
                try
                {
                    await objects.CreateObjectAsync(cluster, Claims, ns, claim, FieldOwner.ControllerManager, dryRun: false, cancellationToken);
                    await events.RecordAsync(cluster, set, EventRecorder.Normal, "SuccessfulCreate",
                        $"create Claim {claimName} Pod {podName} in StatefulSet {setName} success", Component, cancellationToken);
                }
                catch (KubeApiException e) when (e.Reason == "AlreadyExists")
                {
                    // made by a pass the claims' informer has not seen yet
                }
            }
            var template = (JsonObject)(revision["data"]?["spec"]?["template"]?.DeepClone() ?? new JsonObject());
            template.Remove("$patch");
            await objects.CreateObjectAsync(cluster, Pods, ns, StatefulSetIdentity.NewPod(set, template, ordinal, revision["metadata"]!["name"]!.GetValue<string>()),
                FieldOwner.ControllerManager, dryRun: false, cancellationToken);
            await events.RecordAsync(cluster, set, EventRecorder.Normal, "SuccessfulCreate", $"create Pod {podName} in StatefulSet {setName} successful", Component, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "AlreadyExists")
        {
            // the pod of that name exists and is not yet in the informer, or belongs to someone else: seen next pass
        }
        catch (KubeApiException e)
        {
            await events.RecordAsync(cluster, set, EventRecorder.Warning, "FailedCreate",
                $"create Pod {podName} in StatefulSet {setName} failed error: {e.Message}", Component, cancellationToken);
        }
    }

    private async Task DeletePodAsync(JsonObject set, JsonObject pod, CancellationToken cancellationToken)
    {
        var metadata = pod["metadata"]!;
        var name = metadata["name"]!.GetValue<string>();
        try
        {
            await objects.DeleteObjectAsync(cluster, Pods, metadata["namespace"].AsText(), name,
                DeleteOptions.Default with { PreconditionUid = metadata["uid"].AsText() }, cancellationToken);
            await events.RecordAsync(cluster, set, EventRecorder.Normal, "SuccessfulDelete",
                $"delete Pod {name} in StatefulSet {set["metadata"]!["name"]} successful", Component, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
        {
            // already gone, or replaced
        }
    }

    private async Task UpdateStatusAsync(JsonObject set, List<JsonObject> pods, string currentName, string updateName, CancellationToken cancellationToken)
    {
        var minReady = TimeSpan.FromSeconds(set["spec"]?["minReadySeconds"].AsLong() ?? 0);
        var now = time.GetUtcNow();
        var live = pods.Where(p => p["metadata"]?["deletionTimestamp"] is null).ToList();
        var ready = live.Where(PodAvailability.IsRunningAndReady).ToList();
        string? Revision(JsonObject pod) => pod["metadata"]?["labels"]?[ControllerRevisions.HashLabel].AsText();
        var status = new JsonObject
        {
            ["observedGeneration"] = set["metadata"]?["generation"]?.DeepClone(),
            ["replicas"] = live.Count,
            ["readyReplicas"] = ready.Count,
            ["currentReplicas"] = live.Count(p => Revision(p) == currentName),
            ["updatedReplicas"] = live.Count(p => Revision(p) == updateName),
            ["availableReplicas"] = ready.Count(p => PodAvailability.IsAvailable(p, minReady, now)),
            ["currentRevision"] = currentName,
            ["updateRevision"] = updateName,
            ["collisionCount"] = set["status"]?["collisionCount"].AsLong() ?? 0,
        };
        var wanted = set["spec"]?["replicas"].AsLong() ?? 1;
        // a rolling update is complete once every pod runs the new revision and is ready: it becomes the current one
        if (set["spec"]?["updateStrategy"]?["type"].AsText() != "OnDelete" && currentName != updateName
            && status["updatedReplicas"].AsLong() == wanted && status["readyReplicas"].AsLong() == wanted && live.Count == wanted)
        {
            status["currentRevision"] = updateName;
            status["currentReplicas"] = status["updatedReplicas"].AsLong();
        }
        await WorkloadStatus.WriteAsync(objects, cluster, Sets, set, status, cancellationToken);
        var metadata = set["metadata"]!;
        if (minReady > TimeSpan.Zero && ready.Any(p => !PodAvailability.IsAvailable(p, minReady, now)))
        {
            _queue.AddAfter(ObjectStorage.Key(cluster, Sets, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>()), minReady);
        }
    }
}
