using Berth.Kube.Api;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// Deletes each finished Job <c>ttlSecondsAfterFinished</c> seconds after it finished, its pods with it (foreground
/// deletion), as kube-controller-manager's TTL-after-finished controller does. The Job is read again from the store
/// before it goes, so a TTL changed meanwhile is honoured.
/// </summary>
internal sealed partial class TtlAfterFinishedController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, string cluster,
    TimeProvider time, ILogger<TtlAfterFinishedController> logger) : IController
{
    private readonly WorkQueue<string> _queue = new(time);

    private ObjectInformer? _jobs;

    public string Name => "ttl-after-finished";

    private ResourceType Jobs => registry.Find("batch", "v1", "jobs")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _jobs = informers.Watch(ObjectStorage.Prefix(cluster, Jobs, null), change =>
        {
            if (change.New is { } job && Expiry(job) is not null)
            {
                _queue.Add(change.Key);
            }
        });
        return ControllerLoop.RunAsync(Name, _jobs, _queue, ReconcileAsync, logger, cancellationToken);
    }

    /// <summary>When the Job may be deleted: its finish (the Complete or Failed condition) plus its TTL; null if never.</summary>
    public static DateTimeOffset? Expiry(System.Text.Json.Nodes.JsonObject job)
    {
        if (job["spec"]?["ttlSecondsAfterFinished"].AsLong() is not { } ttl || job["metadata"]?["deletionTimestamp"] is not null)
        {
            return null;
        }
        var finished = new[] { JobConditions.Complete, JobConditions.Failed }
            .Select(type => ObjectConditions.Find(job, type))
            .FirstOrDefault(c => c?["status"].AsText() == "True");
        return finished is null ? null : (KubeTime.Parse(finished["lastTransitionTime"]) ?? KubeTime.Parse(job["status"]?["completionTime"]))?.AddSeconds(ttl);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_jobs!.Get(key) is not { } cached || Expiry(cached) is null)
        {
            return;
        }
        var metadata = cached["metadata"]!;
        var ns = metadata["namespace"].AsText();
        var name = metadata["name"]!.GetValue<string>();
        // the informer's copy may be stale: the TTL is checked again on the stored Job
        if (await objects.GetObjectAsync(cluster, Jobs, ns, name, cancellationToken) is not { } job || Expiry(job) is not { } expiry)
        {
            return;
        }
        var left = expiry - time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            _queue.AddAfter(key, left);
            return;
        }
        LogExpired(logger, ns ?? "", name);
        try
        {
            await objects.DeleteObjectAsync(cluster, Jobs, ns, name,
                DeleteOptions.Default with { PropagationPolicy = DeleteOptions.Foreground, PreconditionUid = job["metadata"]?["uid"].AsText() },
                cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
        {
            // already gone, or replaced by a new Job of that name
        }
    }

    [LoggerMessage(EventId = 3210, Level = LogLevel.Information, Message = "Job {JobNamespace}/{JobName} finished longer than its TTL ago; deleting it")]
    private static partial void LogExpired(ILogger logger, string jobNamespace, string jobName);
}
