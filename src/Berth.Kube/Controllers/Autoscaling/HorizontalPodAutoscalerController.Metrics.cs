using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Metrics;
using Berth.Kube.Resources;

namespace Berth.Kube.Controllers.Autoscaling;

/// <summary>
/// The count each metric asks for, as computeReplicasForMetrics: the highest count of the metrics that could be
/// computed wins; when all failed, or some failed and the rest would scale down, nothing is scaled and ScalingActive
/// says why. Resource metrics (cpu, memory) are read from the metrics API; custom and external metrics are not served.
/// </summary>
internal sealed partial class HorizontalPodAutoscalerController
{
    /// <summary>The count (-1 when none may be trusted), the metric that asked for it, each metric's status, and the error of the first failed one.</summary>
    private sealed record MetricsOutcome(int Replicas, string Metric, JsonArray Statuses, string? Error);

    private async Task<MetricsOutcome> ComputeReplicasAsync(JsonObject hpa, JsonObject status, string? ns, JsonArray specs, JsonObject scale,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var selectorText = scale["status"]?["selector"].AsText();
        if (string.IsNullOrEmpty(selectorText))
        {
            await events.RecordAsync(cluster, hpa, EventRecorder.Warning, "SelectorRequired", "selector is required", Component, cancellationToken);
            AutoscalerConditions.Set(status, AutoscalerConditions.ScalingActive, false, "InvalidSelector", "the HPA target's scale is missing a selector", now);
            return new MetricsOutcome(-1, "", [], "selector is required");
        }
        var selector = LabelSelector.Parse(selectorText);
        var specReplicas = (int)(scale["spec"]?["replicas"].AsLong() ?? 0);
        var statuses = new JsonArray();
        var (replicas, metric, invalid) = (0, "", 0);
        MetricFailure? first = null;
        foreach (var spec in specs.OfType<JsonObject>())
        {
            try
            {
                var (proposal, name, metricStatus) = await ComputeMetricAsync(spec, ns, specReplicas, selector, cancellationToken);
                statuses.Add(metricStatus);
                if (replicas == 0 || proposal > replicas)
                {
                    (replicas, metric) = (proposal, name);
                }
            }
            catch (MetricFailure failure)
            {
                statuses.Add(new JsonObject { ["type"] = "" });
                await events.RecordAsync(cluster, hpa, EventRecorder.Warning, failure.Reason, failure.InnerException?.Message ?? failure.Message, Component, cancellationToken);
                first ??= failure;
                invalid++;
            }
        }
        var error = first is null ? null : $"invalid metrics ({invalid} invalid out of {specs.Count}), first error is: {first.Message}";
        if (first is not null && (invalid >= specs.Count || replicas < specReplicas))
        {
            AutoscalerConditions.Set(status, AutoscalerConditions.ScalingActive, false, first.Reason,
                $"the HPA was unable to compute the replica count: {first.InnerException?.Message ?? first.Message}", now);
            return new MetricsOutcome(-1, "", statuses, error);
        }
        AutoscalerConditions.Set(status, AutoscalerConditions.ScalingActive, true, "ValidMetricFound",
            $"the HPA was able to successfully calculate a replica count from {metric}", now);
        return new MetricsOutcome(replicas, metric, statuses, error);
    }

    /// <summary>One metric's count, its name for messages, and its status; a <see cref="MetricFailure"/> when it cannot be had.</summary>
    private async Task<(int Replicas, string Name, JsonObject Status)> ComputeMetricAsync(JsonObject spec, string? ns, int specReplicas, LabelSelector selector,
        CancellationToken cancellationToken)
    {
        var type = spec["type"].AsText() ?? "";
        if (type != "Resource")
        {
            var source = type switch { "External" => "external", "Pods" or "Object" => "custom", _ => "" };
            throw source.Length == 0
                ? new MetricFailure("InvalidMetricSourceType", $"unknown metric source type \"{type}\"")
                : new MetricFailure($"FailedGet{type}Metric", $"failed to get {type.ToLowerInvariant()} metric value",
                    new InvalidOperationException($"unable to fetch metrics from {source} metrics API: the server could not find the requested resource"));
        }
        var resource = spec["resource"]?["name"].AsText() ?? "";
        var target = spec["resource"]?["target"] as JsonObject ?? [];
        var averageValue = target["averageValue"].AsText();
        try
        {
            try
            {
                var pods = _pods!.Objects.Select(p => p.Value)
                    .Where(p => p["metadata"]?["namespace"].AsText() == ns && selector.Matches(p))
                    .Select(p => ScaledPod.From(p, resource)).ToList();
                if (averageValue is not null)
                {
                    var usage = await PodUsageAsync(ns, selector, resource, cancellationToken);
                    var targetMilli = (long)Math.Ceiling((Quantity.Parse(averageValue) ?? 0) * 1000);
                    var (replicas, average) = _calculator.ForAverageValue(specReplicas, targetMilli, resource, pods, usage);
                    return (replicas, $"{resource} resource", ResourceStatus(resource, null, average));
                }
                if (target["averageUtilization"].AsLong() is not { } utilizationTarget)
                {
                    throw new MetricFailure("FailedGetResourceMetric",
                        "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set");
                }
                var podUsage = await PodUsageAsync(ns, selector, resource, cancellationToken);
                var (count, utilization, raw) = _calculator.ForUtilization(specReplicas, (int)utilizationTarget, resource, pods, podUsage);
                return (count, $"{resource} resource utilization (percentage of request)", ResourceStatus(resource, utilization, raw));
            }
            catch (ReplicaCalculationException e)
            {
                throw new ReplicaCalculationException($"failed to get {resource} {(averageValue is null ? "utilization" : "usage")}: {e.Message}");
            }
        }
        catch (ReplicaCalculationException e)
        {
            throw new MetricFailure("FailedGetResourceMetric", $"failed to get {resource} resource metric value", e);
        }
    }

    /// <summary>Each selected pod's usage of the resource, summed over its containers, from the metrics API; pods lacking it for a container are left out.</summary>
    private async Task<Dictionary<string, PodMetric>> PodUsageAsync(string? ns, LabelSelector selector, string resource, CancellationToken cancellationToken)
    {
        var listed = await metrics.ListAsync(cluster, registry.Find(ResourceMetrics.Group, "v1beta1", "pods")!, ns, cancellationToken);
        var usage = new Dictionary<string, PodMetric>(StringComparer.Ordinal);
        foreach (var item in listed.Where(selector.Matches))
        {
            var values = (item["containers"] as JsonArray ?? []).Select(c => Quantity.Parse(c?["usage"]?[resource].AsText())).ToList();
            if (values.Count == 0 || values.Any(v => v is null) || KubeTime.Parse(item["timestamp"]) is not { } at)
            {
                continue;
            }
            usage[item["metadata"]?["name"].AsText() ?? ""] = new PodMetric((long)Math.Ceiling(values.Sum(v => v!.Value) * 1000), at,
                GoDuration.Parse(item["window"].AsText() ?? "") ?? TimeSpan.Zero);
        }
        return usage.Count > 0 ? usage
            : throw new ReplicaCalculationException($"unable to get metrics for resource {resource}: no metrics returned from resource metrics API");
    }

    private static JsonObject ResourceStatus(string resource, int? utilization, long averageMilli)
    {
        var current = new JsonObject();
        if (utilization is { } percent)
        {
            current["averageUtilization"] = percent;
        }
        current["averageValue"] = Quantity.Canonical(averageMilli.ToString(CultureInfo.InvariantCulture) + "m");
        return new JsonObject
        {
            ["type"] = "Resource",
            ["resource"] = new JsonObject { ["name"] = resource, ["current"] = current },
        };
    }
}
