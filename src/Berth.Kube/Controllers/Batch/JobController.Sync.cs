using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Batch;

internal sealed partial class JobController
{
    private const string BackoffLimitExceeded = "BackoffLimitExceeded";
    private const string DeadlineExceeded = "DeadlineExceeded";

    /// <summary>Kubernetes' <c>syncJob</c>: decides whether the Job has finished, else runs its pods, then records it.</summary>
    private async Task SyncAsync(JobSync sync, bool satisfied, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var job = sync.Job;
        if (sync.Status["startTime"] is null && !sync.Suspended)
        {
            sync.Status["startTime"] = KubeTime.Format(now);
        }
        sync.Backoff = _backoffs.GetValueOrDefault(sync.Key, PodFailureBackoff.None)
            .After([.. sync.NewSucceeded.Select(p => JobPods.FinishedAt(p, now))], [.. sync.NewFailed.Select(p => JobPods.FinishedAt(p, now))]);
        sync.Finished = FinishedCondition(sync, now);

        if (sync.Finished is not null)
        {
            // a finishing Job stops its pods; it is finished only once they are all on their way out
            var (deleted, deletedReady) = await DeleteActivePodsAsync(job, sync.ActivePods, cancellationToken);
            if (deleted != sync.Active || !satisfied)
            {
                sync.Finished = null;
            }
            sync.Active -= deleted;
            sync.Terminating += deleted;
            sync.Ready -= deletedReady;
        }
        else
        {
            var managed = false;
            if (satisfied && job["metadata"]?["deletionTimestamp"] is null)
            {
                await ManagePodsAsync(sync, now, cancellationToken);
                managed = true;
            }
            var complete = sync.Active == 0 && (sync.Completions is { } completions ? sync.Succeeded >= completions : sync.Succeeded > 0);
            if (complete)
            {
                sync.Finished = new(JobConditions.SuccessCriteriaMet, "CompletionsReached", "Reached expected number of succeeded pods");
            }
            else if (managed)
            {
                await KeepSuspendedConditionAsync(sync, now, cancellationToken);
            }
        }
        await TrackAsync(sync, now, cancellationToken);
    }

    /// <summary>
    /// The condition that ends the Job, if any: one it already reached (SuccessCriteriaMet, FailureTarget), too many
    /// failures, or its deadline passed. The failures are recorded first as the interim FailureTarget, as in 1.32.
    /// </summary>
    private JobConditions.Pending? FinishedCondition(JobSync sync, DateTimeOffset now)
    {
        var job = sync.Job;
        if (ObjectConditions.Find(job, JobConditions.SuccessCriteriaMet) is { } met && met["status"].AsText() == "True")
        {
            return new(JobConditions.SuccessCriteriaMet, met["reason"].AsText() ?? "", met["message"].AsText() ?? "");
        }
        if (ObjectConditions.Find(job, JobConditions.FailureTarget) is { } target && target["status"].AsText() == "True")
        {
            return new(JobConditions.Failed, target["reason"].AsText() ?? "", target["message"].AsText() ?? "");
        }
        if (sync.Failed > (job["spec"]?["backoffLimit"].AsLong() ?? 6) || JobPods.PastBackoffLimitOnFailure(job, sync.Pods))
        {
            return new(JobConditions.FailureTarget, BackoffLimitExceeded, "Job has reached the specified backoff limit");
        }
        if (job["spec"]?["activeDeadlineSeconds"].AsLong() is { } deadline && !sync.Suspended && KubeTime.Parse(sync.Status["startTime"]) is { } start)
        {
            var left = start.AddSeconds(deadline) - now;
            if (left <= TimeSpan.Zero)
            {
                return new(JobConditions.FailureTarget, DeadlineExceeded, "Job was active longer than specified deadline");
            }
            _queue.AddAfter(sync.Key, left);
        }
        return null;
    }

    /// <summary>
    /// The Suspended condition follows <c>spec.suspend</c>; a resumed Job starts its clock again, as
    /// <c>activeDeadlineSeconds</c> counts only the time it is active.
    /// </summary>
    private async Task KeepSuspendedConditionAsync(JobSync sync, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (sync.Suspended)
        {
            if (JobConditions.Ensure(sync.Status, JobConditions.Suspended, "True", "JobSuspended", "Job suspended", now))
            {
                await events.RecordAsync(cluster, sync.Job, EventRecorder.Normal, "Suspended", "Job suspended", Component, cancellationToken);
            }
        }
        else if (JobConditions.Ensure(sync.Status, JobConditions.Suspended, "False", "JobResumed", "Job resumed", now))
        {
            sync.Status["startTime"] = KubeTime.Format(now);
            await events.RecordAsync(cluster, sync.Job, EventRecorder.Normal, "Resumed", "Job resumed", Component, cancellationToken);
        }
    }
}
