using System.Text.Json.Nodes;

namespace Berth.Kube.Controllers.Batch;

internal sealed partial class JobController
{
    /// <summary>
    /// Kubernetes' <c>manageJob</c>: a suspended Job's pods are deleted; otherwise pods are deleted down to, or created
    /// up to, the number wanted (never both in one sync), creations waiting out the failure back-off.
    /// </summary>
    private async Task ManagePodsAsync(JobSync sync, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var job = sync.Job;
        if (sync.Suspended)
        {
            await DeleteJobPodsAsync(sync, JobPods.ForRemoval(job, sync.ActivePods, sync.ActivePods.Count), cancellationToken);
            return;
        }
        var want = JobPods.WantActive(job, sync.Active, sync.Succeeded);
        var surplus = JobPods.ForRemoval(job, sync.ActivePods, (int)Math.Max(sync.Active - want, 0)).Take(MaxPodsPerSync).ToList();
        if (surplus.Count > 0)
        {
            await DeleteJobPodsAsync(sync, surplus, cancellationToken);
            return;
        }
        // with podReplacementPolicy Failed, a pod still stopping holds its place
        var stopping = JobPods.OnlyReplacesFailed(job) ? sync.Terminating : 0;
        var missing = (int)Math.Min(want - stopping - sync.Active, MaxPodsPerSync);
        if (missing <= 0)
        {
            return;
        }
        if (sync.Backoff.Remaining(now) is var wait && wait > TimeSpan.Zero)
        {
            _queue.AddAfter(sync.Key, wait);
            return;
        }
        List<int?> indexes = JobPods.IsIndexed(job)
            ? [.. CompletionIndexes.FirstPending(sync.SucceededIndexes, sync.ActivePods.Select(p => JobPods.Of(p, sync.Completions ?? 0)).OfType<int>(),
                sync.Completions ?? 0, missing).Select(i => (int?)i)]
            : [.. Enumerable.Repeat<int?>(null, missing)];
        _expectations.Expect(sync.Key, indexes.Count, 0);
        var missed = await Workloads.SlowStart.RunAsync(indexes.Count,
            async i => await _podControl!.CreateAsync(job, JobPods.NewPod(job, indexes[i]), cancellationToken) is not null);
        for (var i = 0; i < missed; i++)
        {
            _expectations.Created(sync.Key); // neither a failed creation nor one never tried will be observed
        }
        sync.Active += indexes.Count - missed;
    }

    /// <summary>
    /// Deletes pods the Job no longer wants (suspended, or too many), their finalizer taken off first: a pod the
    /// controller stops does not count as failed.
    /// </summary>
    private async Task DeleteJobPodsAsync(JobSync sync, List<JsonObject> pods, CancellationToken cancellationToken)
    {
        if (pods.Count == 0)
        {
            return;
        }
        _expectations.Expect(sync.Key, 0, pods.Count);
        var results = await Task.WhenAll(pods.Select(async pod =>
        {
            if ((JobPods.HasTrackingFinalizer(pod) && !await RemoveFinalizerAsync(pod, cancellationToken))
                || !await _podControl!.DeleteAsync(sync.Job, pod, cancellationToken))
            {
                _expectations.Deleted(sync.Key);
                return false;
            }
            return true;
        }));
        var removed = pods.Where((_, i) => results[i]).ToList();
        sync.Active -= removed.Count;
        sync.Terminating += removed.Count;
        sync.Ready -= removed.Count(JobPods.IsReady);
    }

    /// <summary>Deletes the active pods of a Job that has finished; returns how many went and how many of those were ready.</summary>
    private async Task<(int Deleted, int Ready)> DeleteActivePodsAsync(JsonObject job, List<JsonObject> pods, CancellationToken cancellationToken)
    {
        // a pod already gone counts as deleted; a failure to delete ends the sync, which is retried
        await Task.WhenAll(pods.Select(pod => _podControl!.DeleteAsync(job, pod, cancellationToken)));
        return (pods.Count, pods.Count(JobPods.IsReady));
    }
}
