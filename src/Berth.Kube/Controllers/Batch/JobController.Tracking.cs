using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;

namespace Berth.Kube.Controllers.Batch;

internal sealed partial class JobController
{
    /// <summary>
    /// Kubernetes' <c>trackJobStatusAndRemoveFinalizers</c>: the pods that ended are written by uid into
    /// <c>uncountedTerminatedPods</c> (with the interim condition, if the Job is finishing), then lose their
    /// finalizer, then move into the counts; the final condition is set once nothing is left uncounted or stopping.
    /// </summary>
    private async Task TrackAsync(JobSync sync, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var job = sync.Job;
        var indexed = JobPods.IsIndexed(job);
        var deleting = job["metadata"]?["deletionTimestamp"] is not null;
        var failing = sync.Finished is not null && sync.Finished.Type != JobConditions.SuccessCriteriaMet;
        var release = new List<JsonObject>();
        foreach (var pod in sync.Pods)
        {
            var uid = JobPods.Uid(pod);
            if (!JobPods.HasTrackingFinalizer(pod) || _finalizers.IsExpected(sync.Key, uid))
            {
                continue; // counted in an earlier sync
            }
            var failed = JobPods.IsFailed(pod, job);
            if (!deleting && sync.Finished is null && !failed && JobPods.Phase(pod) != "Succeeded")
            {
                continue; // still running
            }
            release.Add(pod);
            var index = indexed ? JobPods.Of(pod, sync.Completions ?? 0) : null;
            if (JobPods.Phase(pod) == "Succeeded" && !sync.UncountedFailed.Contains(uid))
            {
                if (!indexed)
                {
                    sync.UncountedSucceeded.Add(uid); // an Indexed Job counts its succeeded indexes instead
                }
            }
            else if ((failed || failing) && (!indexed || index is not null))
            {
                // once the Job is finishing, every pod that has not succeeded has failed
                sync.UncountedFailed.Add(uid);
            }
            if (sync.UncountedSucceeded.Count + sync.UncountedFailed.Count >= MaxPodsPerSync)
            {
                break; // the rest next time: the uid lists stay small
            }
        }

        if (sync.Finished?.Type == JobConditions.FailureTarget)
        {
            JobConditions.Ensure(sync.Status, JobConditions.FailureTarget, "True", sync.Finished.Reason, sync.Finished.Message, now);
            sync.Finished = sync.Finished with { Type = JobConditions.Failed };
        }
        else if (sync.Finished?.Type == JobConditions.SuccessCriteriaMet)
        {
            JobConditions.Ensure(sync.Status, JobConditions.SuccessCriteriaMet, "True", sync.Finished.Reason, sync.Finished.Message, now);
            sync.Finished = sync.Finished with { Type = JobConditions.Complete };
        }
        WriteCounts(sync, indexed);
        if (!JsonNode.DeepEquals(sync.Status, job["status"]))
        {
            await WriteStatusAsync(sync, cancellationToken);
            _backoffs[sync.Key] = sync.Backoff;
        }

        // the ends are recorded: the finalizers may go, and the counts follow
        var withFinalizer = sync.Pods.Where(p => JobPods.HasTrackingFinalizer(p) && !_finalizers.IsExpected(sync.Key, JobPods.Uid(p)))
            .Select(JobPods.Uid).ToHashSet(StringComparer.Ordinal);
        await Task.WhenAll(release.Select(async pod =>
        {
            var uid = JobPods.Uid(pod);
            _finalizers.Expect(sync.Key, uid);
            if (await RemoveFinalizerAsync(pod, cancellationToken))
            {
                lock (withFinalizer)
                {
                    withFinalizer.Remove(uid);
                }
            }
            else
            {
                _finalizers.Observed(uid);
            }
        }));
        var succeeded = sync.UncountedSucceeded.RemoveWhere(uid => !withFinalizer.Contains(uid));
        var failedNow = sync.UncountedFailed.RemoveWhere(uid => !withFinalizer.Contains(uid));
        if (!indexed)
        {
            sync.Status["succeeded"] = (sync.Status["succeeded"].AsLong() ?? 0) + succeeded;
        }
        sync.Status["failed"] = (sync.Status["failed"].AsLong() ?? 0) + failedNow;
        var finishedNow = false;
        if (sync.Finished is { } finished && sync.UncountedSucceeded.Count + sync.UncountedFailed.Count == 0 && sync.Terminating == 0)
        {
            JobConditions.Ensure(sync.Status, finished.Type, "True", finished.Reason, finished.Message, now);
            if (finished.Type == JobConditions.Complete)
            {
                sync.Status["completionTime"] = KubeTime.Format(now);
            }
            finishedNow = true;
        }
        WriteCounts(sync, indexed);
        if (!JsonNode.DeepEquals(sync.Status, sync.Job["status"]))
        {
            await WriteStatusAsync(sync, cancellationToken);
        }
        if (finishedNow)
        {
            await RecordFinishedAsync(sync, sync.Finished!, cancellationToken);
        }
    }

    /// <summary>The counts as Kubernetes writes them: zeros of <c>active</c>, <c>succeeded</c> and <c>failed</c> left out.</summary>
    private static void WriteCounts(JobSync sync, bool indexed)
    {
        var status = sync.Status;
        status["active"] = sync.Active;
        status["ready"] = sync.Ready;
        status["terminating"] = sync.Terminating;
        if (indexed)
        {
            status["succeeded"] = sync.SucceededIndexes.Count;
            status["completedIndexes"] = CompletionIndexes.Format(sync.SucceededIndexes);
        }
        var uncounted = new JsonObject();
        if (sync.UncountedSucceeded.Count > 0)
        {
            uncounted["succeeded"] = new JsonArray([.. sync.UncountedSucceeded.Order(StringComparer.Ordinal).Select(u => (JsonNode)u)]);
        }
        if (sync.UncountedFailed.Count > 0)
        {
            uncounted["failed"] = new JsonArray([.. sync.UncountedFailed.Order(StringComparer.Ordinal).Select(u => (JsonNode)u)]);
        }
        status["uncountedTerminatedPods"] = uncounted;
        foreach (var field in new[] { "active", "succeeded", "failed", "completedIndexes" })
        {
            if (status[field] is { } value && (value.AsLong() == 0 || value.AsText() == ""))
            {
                status.Remove(field);
            }
        }
    }

    /// <summary>Writes the status built so far, refused if the Job changed since it was read (the count must not be applied twice).</summary>
    private async Task WriteStatusAsync(JobSync sync, CancellationToken cancellationToken)
    {
        var metadata = sync.Job["metadata"]!;
        var name = metadata["name"]!.GetValue<string>();
        var read = metadata["resourceVersion"].AsText();
        sync.Job = await objects.UpdateStatusAsync(cluster, Jobs, metadata["namespace"].AsText(), name, FieldOwner.ControllerManager, current =>
        {
            if (current["metadata"]?["resourceVersion"].AsText() != read)
            {
                throw KubeApiException.Conflict("jobs.batch", name);
            }
            current["status"] = sync.Status.DeepClone();
            return current;
        }, cancellationToken);
    }

    private async Task RecordFinishedAsync(JobSync sync, JobConditions.Pending finished, CancellationToken cancellationToken)
    {
        if (finished.Type != JobConditions.Complete)
        {
            await events.RecordAsync(cluster, sync.Job, EventRecorder.Warning, finished.Reason, finished.Message, Component, cancellationToken);
            return;
        }
        if (sync.Completions is { } completions && (sync.Status["succeeded"].AsLong() ?? 0) > completions)
        {
            await events.RecordAsync(cluster, sync.Job, EventRecorder.Warning, "TooManySucceededPods",
                "Too many succeeded pods running after completion count reached", Component, cancellationToken);
        }
        await events.RecordAsync(cluster, sync.Job, EventRecorder.Normal, "Completed", "Job completed", Component, cancellationToken);
    }
}
