using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers.Workloads;
using Berth.Kube.ManagedFields;

namespace Berth.Kube.Controllers.Batch;

internal sealed partial class CronJobController
{
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    /// <summary>
    /// Finished Jobs leave <c>status.active</c> (SawCompletedJob) and move <c>lastSuccessfulTime</c>; running Jobs
    /// missing from it are reported (UnexpectedJob); references to Jobs gone are dropped (MissingJob).
    /// </summary>
    private async Task ReconcileActiveAsync(CronJobSync sync, List<JsonObject> jobs, CancellationToken cancellationToken)
    {
        var cronJob = sync.CronJob;
        foreach (var job in jobs)
        {
            var uid = JobPods.Uid(job);
            var name = job["metadata"]!["name"]!.GetValue<string>();
            var finished = JobConditions.IsTrue(job, JobConditions.Complete) ? JobConditions.Complete
                : JobConditions.IsTrue(job, JobConditions.Failed) ? JobConditions.Failed
                : null;
            if (!sync.IsActive(uid) && finished is null)
            {
                // the informer may not have seen the status that lists it yet: the stored CronJob decides
                var stored = await objects.GetObjectAsync(cluster, CronJobs, cronJob["metadata"]!["namespace"].AsText(),
                    cronJob["metadata"]!["name"]!.GetValue<string>(), cancellationToken);
                if ((stored?["status"]?["active"] as JsonArray ?? []).All(r => r?["uid"].AsText() != uid))
                {
                    await RecordAsync(cronJob, EventRecorder.Warning, "UnexpectedJob", $"Saw a job that the controller did not create or forgot: {name}", cancellationToken);
                }
            }
            else if (sync.IsActive(uid) && finished is not null)
            {
                sync.RemoveActive(uid);
                await RecordAsync(cronJob, EventRecorder.Normal, "SawCompletedJob", $"Saw completed job: {name}, condition: {finished}", cancellationToken);
            }
            else if (finished == JobConditions.Complete && KubeTime.Parse(job["status"]?["completionTime"]) is { } completed
                && (KubeTime.Parse(sync.Status["lastSuccessfulTime"]) is not { } last || completed > last))
            {
                sync.Status["lastSuccessfulTime"] = KubeTime.Format(completed);
            }
        }
        var children = jobs.Select(JobPods.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var reference in sync.Active.Where(r => !children.Contains(r["uid"].AsText() ?? "")).ToList())
        {
            // checked against the store: the informer may lag
            if (await objects.GetObjectAsync(cluster, Jobs, reference["namespace"].AsText(), reference["name"].AsText() ?? "", cancellationToken) is null)
            {
                await RecordAsync(cronJob, EventRecorder.Normal, "MissingJob", $"Active job went missing: {reference["name"].AsText()}", cancellationToken);
                sync.RemoveActive(reference["uid"].AsText() ?? "");
            }
        }
    }

    /// <summary>
    /// Starts the Job of start time <paramref name="due"/>, unless it was started already, a running Job forbids it,
    /// or it is too late; with <c>Replace</c> the running Jobs go first. True when the start time is used up.
    /// </summary>
    private async Task<bool> StartJobAsync(CronJobSync sync, DateTimeOffset due, CancellationToken cancellationToken)
    {
        var cronJob = sync.CronJob;
        var spec = cronJob["spec"]!;
        var now = time.GetUtcNow();
        if (spec["startingDeadlineSeconds"].AsLong() is { } deadline && due.AddSeconds(deadline) < now)
        {
            await RecordAsync(cronJob, EventRecorder.Warning, "MissSchedule",
                $"Missed scheduled time to start a job: {due.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture)}", cancellationToken);
            return false;
        }
        var name = CronJobTimes.JobName(cronJob["metadata"]!["name"]!.GetValue<string>(), due);
        if (sync.Active.Any(r => r["name"].AsText() == name) || sync.LastScheduleTime == due)
        {
            return false; // started already
        }
        var policy = spec["concurrencyPolicy"].AsText();
        if (policy == "Forbid" && sync.Active.Any())
        {
            await RecordAsync(cronJob, EventRecorder.Normal, "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid", cancellationToken);
            return false;
        }
        if (policy == "Replace")
        {
            foreach (var reference in sync.Active.ToList())
            {
                if (await objects.GetObjectAsync(cluster, Jobs, reference["namespace"].AsText(), reference["name"].AsText() ?? "", cancellationToken) is { } running)
                {
                    await DeleteJobAsync(sync, running, cancellationToken);
                }
            }
        }
        var ns = cronJob["metadata"]!["namespace"].AsText();
        JsonObject job;
        try
        {
            job = await objects.CreateObjectAsync(cluster, Jobs, ns, JobFor(cronJob, due), FieldOwner.ControllerManager, dryRun: false, cancellationToken);
            await RecordAsync(cronJob, EventRecorder.Normal, "SuccessfulCreate", $"Created job {name}", cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "AlreadyExists")
        {
            // made before the status recorded it: it counts if this CronJob controls it and it is not listed yet
            if (await objects.GetObjectAsync(cluster, Jobs, ns, name, cancellationToken) is not { } existing
                || ControlledObjects.ControllerReference(existing)?["uid"].AsText() != JobPods.Uid(cronJob) || sync.IsActive(JobPods.Uid(existing)))
            {
                return false;
            }
            job = existing;
        }
        catch (KubeApiException e)
        {
            await RecordAsync(cronJob, EventRecorder.Warning, "FailedCreate", $"Error creating job: {e.Message}", cancellationToken);
            throw;
        }
        sync.AddActive(job);
        return true;
    }

    /// <summary>The Job of one start time: the template's metadata and spec, the start time as an annotation, owned by the CronJob.</summary>
    private static JsonObject JobFor(JsonObject cronJob, DateTimeOffset due)
    {
        var template = cronJob["spec"]?["jobTemplate"] as JsonObject ?? [];
        var annotations = template["metadata"]?["annotations"]?.DeepClone() as JsonObject ?? [];
        // in the CronJob's time zone, UTC without one, as RFC 3339
        var zone = cronJob["spec"]?["timeZone"].AsText() is { } name ? CronSchedule.FindZone(name) ?? TimeZoneInfo.Utc : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(due, zone);
        annotations[ScheduledTimestampAnnotation] = local.Offset == TimeSpan.Zero
            ? local.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var metadata = new JsonObject
        {
            ["name"] = CronJobTimes.JobName(cronJob["metadata"]!["name"]!.GetValue<string>(), due),
            ["namespace"] = cronJob["metadata"]!["namespace"]?.DeepClone(),
            ["annotations"] = annotations,
            ["ownerReferences"] = new JsonArray(ControlledObjects.ReferenceTo(cronJob)),
        };
        if (template["metadata"]?["labels"] is JsonObject labels)
        {
            metadata["labels"] = labels.DeepClone();
        }
        return new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }

    /// <summary>Deletes the oldest finished Jobs (by start time) beyond <c>successfulJobsHistoryLimit</c> and <c>failedJobsHistoryLimit</c>.</summary>
    private async Task CleanUpFinishedJobsAsync(CronJobSync sync, List<JsonObject> jobs, CancellationToken cancellationToken)
    {
        var spec = sync.CronJob["spec"];
        foreach (var (condition, limit) in new[] { (JobConditions.Complete, spec?["successfulJobsHistoryLimit"].AsLong()), (JobConditions.Failed, spec?["failedJobsHistoryLimit"].AsLong()) })
        {
            if (limit is not { } keep)
            {
                continue;
            }
            var finished = jobs.Where(j => JobConditions.IsTrue(j, condition))
                .OrderBy(j => KubeTime.Parse(j["status"]?["startTime"]) is null ? 1 : 0)
                .ThenBy(j => KubeTime.Parse(j["status"]?["startTime"]))
                .ThenBy(j => j["metadata"]?["name"].AsText(), StringComparer.Ordinal)
                .ToList();
            foreach (var job in finished.Take(Math.Max(finished.Count - (int)keep, 0)))
            {
                await DeleteJobAsync(sync, job, cancellationToken);
            }
        }
    }

    /// <summary>Deletes a Job and, in the background, its pods; it leaves <c>status.active</c>.</summary>
    private async Task DeleteJobAsync(CronJobSync sync, JsonObject job, CancellationToken cancellationToken)
    {
        var name = job["metadata"]!["name"]!.GetValue<string>();
        try
        {
            await objects.DeleteObjectAsync(cluster, Jobs, job["metadata"]!["namespace"].AsText(), name,
                DeleteOptions.Default with { PropagationPolicy = DeleteOptions.Background, PreconditionUid = JobPods.Uid(job) }, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason != "NotFound")
        {
            await RecordAsync(sync.CronJob, EventRecorder.Warning, "FailedDelete", $"Deleted job: {e.Message}", cancellationToken);
            return;
        }
        sync.RemoveActive(JobPods.Uid(job));
        await RecordAsync(sync.CronJob, EventRecorder.Normal, "SuccessfulDelete", $"Deleted job {name}", cancellationToken);
    }
}
