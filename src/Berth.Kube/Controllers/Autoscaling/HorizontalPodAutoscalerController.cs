using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers.Workloads;
using Berth.Kube.ManagedFields;
using Berth.Kube.Metrics;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Autoscaling;

/// <summary>
/// kube-controller-manager's HorizontalPodAutoscaler controller: every sync period (15 s) each autoscaler reads its
/// target's <c>scale</c> subresource, computes a count from each metric (<see cref="ReplicaCalculator"/>; the highest
/// wins), holds it to min/max, stabilization and the scaling policies (<see cref="ScalingNormalizer"/>), writes the
/// target's scale when it differs, and reports it all in the status, its conditions and events.
/// </summary>
internal sealed partial class HorizontalPodAutoscalerController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, ResourceMetrics metrics,
    EventRecorder events, KubeApiOptions options, string cluster, TimeProvider time, ILogger<HorizontalPodAutoscalerController> logger) : IController
{
    private const string Component = "horizontal-pod-autoscaler";

    private readonly WorkQueue<string> _queue = new(time);
    private readonly ReplicaCalculator _calculator = new(time);
    private readonly ScalingNormalizer _normalizer = new(time);

    private ObjectInformer? _autoscalers;
    private ObjectInformer? _pods;

    public string Name => "horizontal-pod-autoscaler";

    private ResourceType Autoscalers => registry.Find("autoscaling", "v2", "horizontalpodautoscalers")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _autoscalers = informers.Watch(ObjectStorage.Prefix(cluster, Autoscalers, null), change =>
        {
            if (change.New is null)
            {
                _normalizer.Forget(change.Key);
            }
            else if (change.Old is null || !JsonNode.DeepEquals(change.Old["spec"], change.New["spec"]))
            {
                _queue.Add(change.Key); // its own status writes wait for the next sync period
            }
        });
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, registry.Find("", "v1", "pods")!, null), _ => { });
        return ControllerLoop.RunAsync(Name, [_autoscalers, _pods], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_autoscalers!.Get(key) is not { } cached)
        {
            return;
        }
        try
        {
            await SyncAsync(key, (JsonObject)cached.DeepClone(), cancellationToken);
        }
        finally
        {
            _queue.AddAfter(key, options.HorizontalPodAutoscalerSyncPeriod);
        }
    }

    private async Task SyncAsync(string key, JsonObject hpa, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var spec = hpa["spec"] as JsonObject ?? [];
        var original = hpa["status"]?.DeepClone() as JsonObject ?? [];
        var status = (JsonObject)original.DeepClone();
        status["observedGeneration"] = hpa["metadata"]?["generation"]?.DeepClone();
        var ns = hpa["metadata"]?["namespace"].AsText();
        var reference = spec["scaleTargetRef"] as JsonObject ?? [];
        var targetKind = reference["kind"].AsText() ?? "";
        var targetName = reference["name"].AsText() ?? "";
        var targetType = registry.FindKind(reference["apiVersion"].AsText() ?? "", targetKind);
        var scale = targetType is { Strategy.Scale: not null } ? await objects.GetScaleAsync(cluster, targetType, ns, targetName, cancellationToken) : null;
        if (targetType is null || scale is null)
        {
            var error = targetType is null ? $"no matches for kind \"{targetKind}\" in group \"{ApiGroup(reference)}\""
                : targetType.Strategy.Scale is null ? $"{targetType.Plural}.{targetType.Group} does not implement the scale subresource"
                : $"{targetType.Plural}.{targetType.Group} \"{targetName}\" not found";
            AutoscalerConditions.Set(status, AutoscalerConditions.AbleToScale, false, "FailedGetScale",
                $"the HPA controller was unable to get the target's current scale: {error}", now);
            await events.RecordAsync(cluster, hpa, EventRecorder.Warning, "FailedGetScale", error, Component, cancellationToken);
            await WriteStatusAsync(hpa, status, cancellationToken);
            return;
        }
        AutoscalerConditions.Set(status, AutoscalerConditions.AbleToScale, true, "SucceededGetScale", "the HPA controller was able to get the target's current scale", now);
        var current = (int)(scale["spec"]?["replicas"].AsLong() ?? 0);
        _normalizer.RecordInitial(key, current);
        var min = (int)(spec["minReplicas"].AsLong() ?? 1);
        var max = (int)(spec["maxReplicas"].AsLong() ?? 0);
        var desired = 0;
        var reason = "";
        JsonArray? metricStatuses = null;
        bool rescale;
        if (current == 0 && min != 0)
        {
            rescale = false;
            AutoscalerConditions.Set(status, AutoscalerConditions.ScalingActive, false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero", now);
        }
        else if (current > max)
        {
            (rescale, desired, reason) = (true, max, "Current number of replicas above Spec.MaxReplicas");
        }
        else if (current < min)
        {
            (rescale, desired, reason) = (true, min, "Current number of replicas below Spec.MinReplicas");
        }
        else
        {
            var outcome = await ComputeReplicasAsync(hpa, status, ns, spec["metrics"] as JsonArray ?? [], scale, cancellationToken);
            metricStatuses = outcome.Statuses;
            if (outcome.Replicas == -1)
            {
                SetStatus(status, current, (int)(original["desiredReplicas"].AsLong() ?? 0), metricStatuses, rescaled: false);
                await WriteStatusAsync(hpa, status, cancellationToken);
                await events.RecordAsync(cluster, hpa, EventRecorder.Warning, "FailedComputeMetricsReplicas", outcome.Error!, Component, cancellationToken);
                return;
            }
            desired = outcome.Replicas;
            reason = desired > current ? $"{outcome.Metric} above target" : desired < current ? "All metrics below target" : "";
            var normalized = spec["behavior"] is JsonObject behavior
                ? _normalizer.NormalizeWithBehavior(key, current, desired, min, max,
                    ScalingRules.From(behavior["scaleUp"], ScalingRules.DefaultUp), ScalingRules.From(behavior["scaleDown"], ScalingRules.DefaultDown))
                : _normalizer.Normalize(key, current, desired, min, max);
            AutoscalerConditions.Set(status, AutoscalerConditions.AbleToScale, true, normalized.AbleToScaleReason, normalized.AbleToScaleMessage, now);
            AutoscalerConditions.Set(status, AutoscalerConditions.ScalingLimited, normalized.Limited, normalized.LimitedReason, normalized.LimitedMessage, now);
            desired = normalized.Replicas;
            rescale = desired != current;
        }
        if (rescale)
        {
            try
            {
                await objects.UpdateScaleAsync(cluster, targetType, ns, targetName, desired, FieldOwner.ControllerManager, cancellationToken);
            }
            catch (KubeApiException e)
            {
                await events.RecordAsync(cluster, hpa, EventRecorder.Warning, "FailedRescale", $"New size: {desired}; reason: {reason}; error: {e.Message}", Component, cancellationToken);
                AutoscalerConditions.Set(status, AutoscalerConditions.AbleToScale, false, "FailedUpdateScale", $"the HPA controller was unable to update the target scale: {e.Message}", now);
                SetStatus(status, current, (int)(original["desiredReplicas"].AsLong() ?? 0), metricStatuses, rescaled: false);
                await WriteStatusAsync(hpa, status, cancellationToken);
                throw;
            }
            AutoscalerConditions.Set(status, AutoscalerConditions.AbleToScale, true, "SucceededRescale", $"the HPA controller was able to update the target scale to {desired}", now);
            await events.RecordAsync(cluster, hpa, EventRecorder.Normal, "SuccessfulRescale", $"New size: {desired}; reason: {reason}", Component, cancellationToken);
            LogRescaled(logger, key, current, desired, reason);
            if (spec["behavior"] is JsonObject rules)
            {
                _normalizer.RecordScale(key, current, desired, ScalingRules.From(rules["scaleUp"], ScalingRules.DefaultUp), ScalingRules.From(rules["scaleDown"], ScalingRules.DefaultDown));
            }
        }
        SetStatus(status, current, desired, metricStatuses, rescale);
        await WriteStatusAsync(hpa, status, cancellationToken);
    }

    private void SetStatus(JsonObject status, int current, int desired, JsonArray? metricStatuses, bool rescaled)
    {
        status["currentReplicas"] = current;
        status["desiredReplicas"] = desired;
        status["currentMetrics"] = metricStatuses is { Count: > 0 } ? metricStatuses : null;
        if (rescaled)
        {
            status["lastScaleTime"] = KubeTime.Format(time.GetUtcNow());
        }
    }

    private Task WriteStatusAsync(JsonObject hpa, JsonObject status, CancellationToken cancellationToken) =>
        WorkloadStatus.WriteAsync(objects, cluster, Autoscalers, hpa, (JsonObject)JsonNode.Parse(status.ToJsonString())!, // nulls dropped, as stored
            cancellationToken, keepConditions: false);

    private static string ApiGroup(JsonObject reference) =>
        reference["apiVersion"].AsText() is { } apiVersion && apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    [LoggerMessage(EventId = 3901, Level = LogLevel.Information, Message = "HorizontalPodAutoscaler {Key} rescaled its target from {From} to {To}: {Reason}")]
    private static partial void LogRescaled(ILogger logger, string key, int from, int to, string reason);
}
