using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers.Workloads;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// Runs each Job's pods to completion, as kube-controller-manager's Job controller (1.32) does: up to
/// <c>parallelism</c> pods at a time until <c>completions</c> of them succeeded (or, without completions, until one
/// did and the rest finished), NonIndexed or Indexed; failed pods replaced after a growing back-off until
/// <c>backoffLimit</c>; <c>activeDeadlineSeconds</c>, <c>suspend</c> and the Job's conditions kept as Kubernetes keeps them.
/// </summary>
/// <remarks>
/// Pods are counted as Kubernetes counts them since 1.26, with the <see cref="JobPods.TrackingFinalizer"/>: each
/// pod holds it until its end is recorded, first by uid in <c>status.uncountedTerminatedPods</c>, then, once the
/// finalizer is off, in <c>succeeded</c>/<c>failed</c>. A pod deleted early is thus never lost from the count, and
/// a count survives the controller stopping between any two writes.
/// </remarks>
internal sealed partial class JobController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<JobController> logger) : IController
{
    private const string Component = "job-controller";

    /// <summary>The most pods one sync creates, deletes, or counts.</summary>
    private const int MaxPodsPerSync = 500;

    private readonly WorkQueue<string> _queue = new(time);
    private readonly Expectations _expectations = new(time);
    private readonly FinalizerExpectations _finalizers = new();
    private readonly ConcurrentDictionary<string, PodFailureBackoff> _backoffs = new(StringComparer.Ordinal);

    private ControlledObjects? _controlled;
    private PodControl? _podControl;
    private ObjectInformer? _jobs;
    private ObjectInformer? _pods;
    private string _podPrefix = "";

    public string Name => "job";

    private ResourceType Jobs => registry.Find("batch", "v1", "jobs")!;

    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _controlled = new ControlledObjects(objects, cluster, Pods);
        _podControl = new PodControl(objects, events, cluster, Pods, Component);
        _podPrefix = ObjectStorage.Prefix(cluster, Pods, null);
        _jobs = informers.Watch(ObjectStorage.Prefix(cluster, Jobs, null), OnJobChange);
        _pods = informers.Watch(_podPrefix, OnPodChange);
        return ControllerLoop.RunAsync(Name, [_jobs, _pods], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private void OnJobChange(ObjectChange change)
    {
        _queue.Add(change.Key);
        if (change.New is null && change.Old?["metadata"]?["uid"].AsText() is { } uid)
        {
            // the Job is gone: its pods' finalizers must go too, or their deletion would never end
            foreach (var (key, pod) in _pods!.Objects)
            {
                if (JobPods.HasTrackingFinalizer(pod) && ControlledObjects.ControllerReference(pod)?["uid"].AsText() == uid)
                {
                    _queue.Add(key);
                }
            }
        }
    }

    private void OnPodChange(ObjectChange change)
    {
        _controlled!.Observe(change);
        var pod = change.New ?? change.Old!;
        if (change.New is null || !JobPods.HasTrackingFinalizer(change.New))
        {
            _finalizers.Observed(JobPods.Uid(pod));
        }
        if (_controlled.ControllerKey(pod, Jobs) is { } jobKey)
        {
            if (change.Old is null)
            {
                _expectations.Created(jobKey);
            }
            else if (change.New is null || (!JobPods.IsDeleting(change.Old) && JobPods.IsDeleting(pod)))
            {
                _expectations.Deleted(jobKey);
            }
            _queue.Add(jobKey);
            if (change.New is not null && JobPods.HasTrackingFinalizer(pod) && (_jobs!.Get(jobKey) is not { } job || JobConditions.IsFinished(job)))
            {
                _queue.Add(change.Key);
            }
        }
        else if (change.New is not null)
        {
            if (JobPods.HasTrackingFinalizer(pod))
            {
                _queue.Add(change.Key);
            }
            foreach (var key in ControlledObjects.OwnersThatMayAdopt(_jobs!, pod))
            {
                _queue.Add(key);
            }
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (key.StartsWith(_podPrefix, StringComparison.Ordinal))
        {
            await ReleaseOrphanAsync(key, cancellationToken);
            return;
        }
        if (_jobs!.Get(key) is not { } job)
        {
            _expectations.Forget(key);
            _finalizers.Forget(key);
            _backoffs.TryRemove(key, out _);
            return;
        }
        if (job["spec"]?["managedBy"].AsText() is { } manager && manager != "kubernetes.io/job-controller")
        {
            return; // another controller runs this Job
        }
        if (JobConditions.IsFinished(job))
        {
            _backoffs.TryRemove(key, out _);
            return;
        }
        var pods = await _controlled!.ClaimAsync(_pods!, job, LabelSelector.FromObject(job["spec"]?["selector"]), FieldOwner.ControllerManager,
            cancellationToken);
        var satisfied = _expectations.Satisfied(key) && _finalizers.Satisfied(key);
        await SyncAsync(new JobSync(key, job, pods, _finalizers), satisfied, cancellationToken);
    }

    /// <summary>
    /// Takes the tracking finalizer off a pod no running Job will count: its Job is gone or finished (checked against
    /// the store too, as an informer may not have seen a new Job yet).
    /// </summary>
    private async Task ReleaseOrphanAsync(string key, CancellationToken cancellationToken)
    {
        if (_pods!.Get(key) is not { } pod || !JobPods.HasTrackingFinalizer(pod))
        {
            return;
        }
        var reference = ControlledObjects.ControllerReference(pod);
        if (_controlled!.ControllerKey(pod, Jobs) is { } jobKey)
        {
            var job = _jobs!.Get(jobKey) ?? await objects.GetObjectAsync(cluster, Jobs, pod["metadata"]!["namespace"].AsText(),
                reference!["name"]!.GetValue<string>(), cancellationToken);
            if (job?["metadata"]?["uid"].AsText() == reference!["uid"].AsText() && !JobConditions.IsFinished(job))
            {
                return;
            }
        }
        await RemoveFinalizerAsync(pod, cancellationToken);
    }

    /// <summary>Takes the tracking finalizer off the pod; false when that failed for a reason other than the pod being gone.</summary>
    private async Task<bool> RemoveFinalizerAsync(JsonObject pod, CancellationToken cancellationToken)
    {
        var metadata = pod["metadata"]!;
        var uid = JobPods.Uid(pod);
        try
        {
            await objects.UpdateObjectAsync(cluster, Pods, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(), FieldOwner.ControllerManager,
                current =>
                {
                    if (current["metadata"]?["uid"].AsText() != uid)
                    {
                        throw KubeApiException.NotFound("pods", metadata["name"]!.GetValue<string>());
                    }
                    var currentMetadata = (JsonObject)current["metadata"]!;
                    var kept = (currentMetadata["finalizers"] as JsonArray ?? []).Where(f => f.AsText() != JobPods.TrackingFinalizer)
                        .Select(f => f?.DeepClone()).ToArray();
                    currentMetadata.Remove("finalizers");
                    if (kept.Length > 0)
                    {
                        currentMetadata["finalizers"] = new JsonArray(kept);
                    }
                    return current;
                }, cancellationToken);
            return true;
        }
        catch (KubeApiException e) when (e.Reason == "NotFound")
        {
            return true;
        }
        catch (KubeApiException e)
        {
            LogFinalizerNotRemoved(logger, metadata["name"].AsText() ?? "", e.Message);
            return false;
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Could not remove the job-tracking finalizer of pod {Pod}: {Problem}")]
    private static partial void LogFinalizerNotRemoved(ILogger logger, string pod, string problem);
}
