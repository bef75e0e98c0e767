using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers.Workloads;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// Makes Jobs from each CronJob's <c>jobTemplate</c> on its schedule, as kube-controller-manager's CronJob
/// controller (v2) does: one Job per start time, named after it; <c>concurrencyPolicy</c>, <c>suspend</c>,
/// <c>startingDeadlineSeconds</c> and <c>timeZone</c> honoured; the Jobs it runs in <c>status.active</c>; finished
/// Jobs beyond the history limits deleted. Each CronJob is looked at again when its next start time comes.
/// </summary>
internal sealed partial class CronJobController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<CronJobController> logger) : IController
{
    private const string Component = "cronjob-controller";

    private readonly WorkQueue<string> _queue = new(time);

    private ControlledObjects? _controlled;
    private ObjectInformer? _cronJobs;
    private ObjectInformer? _jobs;

    public string Name => "cronjob";

    private ResourceType CronJobs => registry.Find("batch", "v1", "cronjobs")!;

    private ResourceType Jobs => registry.Find("batch", "v1", "jobs")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _controlled = new ControlledObjects(objects, cluster, Jobs);
        _cronJobs = informers.Watch(ObjectStorage.Prefix(cluster, CronJobs, null), change => _queue.Add(change.Key));
        _jobs = informers.Watch(ObjectStorage.Prefix(cluster, Jobs, null), change =>
        {
            _controlled.Observe(change);
            if (_controlled.ControllerKey(change.New ?? change.Old!, CronJobs) is { } owner)
            {
                _queue.Add(owner);
            }
        });
        return ControllerLoop.RunAsync(Name, [_cronJobs, _jobs], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_cronJobs!.Get(key) is not { } cronJob)
        {
            return;
        }
        var jobs = _controlled!.ControlledBy(_jobs!, JobPods.Uid(cronJob)).ToList();
        var sync = new CronJobSync(cronJob);
        var next = await SyncAsync(sync, jobs, cancellationToken);
        if (cronJob["metadata"]?["deletionTimestamp"] is null)
        {
            await CleanUpFinishedJobsAsync(sync, jobs, cancellationToken);
        }
        if (!JsonNode.DeepEquals(sync.Status, cronJob["status"] ?? new JsonObject()))
        {
            await WriteStatusAsync(sync, cancellationToken);
        }
        if (next is { } delay)
        {
            _queue.AddAfter(key, delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Kubernetes' <c>syncCronJob</c>: brings <c>status.active</c> up to date with the Jobs, then starts the Job due,
    /// if one is. Returns when to look again.
    /// </summary>
    private async Task<TimeSpan?> SyncAsync(CronJobSync sync, List<JsonObject> jobs, CancellationToken cancellationToken)
    {
        var cronJob = sync.CronJob;
        await ReconcileActiveAsync(sync, jobs, cancellationToken);
        if (cronJob["metadata"]?["deletionTimestamp"] is not null)
        {
            return null;
        }
        var zone = TimeZoneInfo.Local; // as kube-controller-manager, the schedule is in the zone of the machine unless named
        if (cronJob["spec"]?["timeZone"].AsText() is { } zoneName)
        {
            if (CronSchedule.FindZone(zoneName) is not { } named)
            {
                await RecordAsync(cronJob, EventRecorder.Warning, "UnknownTimeZone", $"invalid timeZone: \"{zoneName}\": unknown time zone {zoneName}", cancellationToken);
                return null;
            }
            zone = named;
        }
        if (cronJob["spec"]?["suspend"].AsBool() == true)
        {
            return null;
        }
        var text = cronJob["spec"]?["schedule"].AsText() ?? "";
        CronSchedule schedule;
        try
        {
            schedule = CronSchedule.Parse(text, zone);
        }
        catch (FormatException e)
        {
            await RecordAsync(cronJob, EventRecorder.Warning, "UnparseableSchedule", $"unparseable schedule: \"{text}\" : {e.Message}", cancellationToken);
            return null;
        }
        var now = time.GetUtcNow();
        var created = KubeTime.Parse(cronJob["metadata"]?["creationTimestamp"]) ?? now;
        DateTimeOffset? scheduled;
        TimeSpan? next;
        try
        {
            (_, scheduled, var missed) = CronJobTimes.MostRecent(schedule, created, sync.LastScheduleTime, cronJob["spec"]?["startingDeadlineSeconds"].AsLong(), now);
            if (scheduled is not null && missed > CronJobTimes.TooManyMissed)
            {
                await RecordAsync(cronJob, EventRecorder.Warning, "TooManyMissedTimes",
                    $"too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew", cancellationToken);
            }
            next = CronJobTimes.UntilNext(schedule, created, scheduled ?? sync.LastScheduleTime, now);
        }
        catch (FormatException e)
        {
            await RecordAsync(cronJob, EventRecorder.Warning, "InvalidSchedule", $"invalid schedule: {text} : {e.Message}", cancellationToken);
            return null;
        }
        if (scheduled is not { } due)
        {
            return next;
        }
        if (await StartJobAsync(sync, due, cancellationToken))
        {
            sync.LastScheduleTime = due;
        }
        return CronJobTimes.UntilNext(schedule, created, sync.LastScheduleTime, now);
    }

    /// <summary>Writes the status, refused if the CronJob changed since it was read: it is worked out from that copy.</summary>
    private async Task WriteStatusAsync(CronJobSync sync, CancellationToken cancellationToken)
    {
        var metadata = sync.CronJob["metadata"]!;
        var name = metadata["name"]!.GetValue<string>();
        var read = metadata["resourceVersion"].AsText();
        await objects.UpdateStatusAsync(cluster, CronJobs, metadata["namespace"].AsText(), name, FieldOwner.ControllerManager, current =>
        {
            if (current["metadata"]?["resourceVersion"].AsText() != read)
            {
                throw KubeApiException.Conflict("cronjobs.batch", name);
            }
            current["status"] = sync.Status.DeepClone();
            return current;
        }, cancellationToken);
    }

    private Task RecordAsync(JsonObject cronJob, string type, string reason, string message, CancellationToken cancellationToken) =>
        events.RecordAsync(cluster, cronJob, type, reason, message, Component, cancellationToken);
}
