using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Autoscaling;

/// <summary>
/// autoscaling/v1 HorizontalPodAutoscalers are autoscaling/v2 ones seen through the older shape, as kube-apiserver
/// converts them: the CPU utilization target is <c>targetCPUUtilizationPercentage</c>, and what v1 has no field for
/// (other metrics, their current values, the conditions, the behavior) rides in the <c>autoscaling.alpha.kubernetes.io/…</c>
/// annotations (as v2 JSON), so that nothing is lost either way. An autoscaler without metrics gets v2's default,
/// 80% CPU, as a v2 read of it would.
/// </summary>
internal sealed class HorizontalPodAutoscalerV1 : IObjectConverter
{
    private const string MetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
    private const string CurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
    private const string ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
    private const string BehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

    public static readonly HorizontalPodAutoscalerV1 Converter = new();

    /// <summary>Where autoscaling/v1 autoscalers live: with the v2 ones.</summary>
    public static readonly StoredAs Storage = new("autoscaling", "horizontalpodautoscalers", Converter);

    public JsonObject FromStored(JsonObject stored)
    {
        var served = (JsonObject)stored.DeepClone();
        served["apiVersion"] = "autoscaling/v1";
        var annotations = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (served["spec"] is JsonObject spec)
        {
            var metrics = spec["metrics"] as JsonArray ?? [];
            spec.Remove("metrics");
            var cpu = metrics.OfType<JsonObject>().FirstOrDefault(IsCpuUtilization);
            if (cpu is not null)
            {
                spec["targetCPUUtilizationPercentage"] = cpu["resource"]!["target"]!["averageUtilization"]!.DeepClone();
            }
            annotations[MetricsAnnotation] = Rest(metrics, cpu);
            annotations[BehaviorAnnotation] = spec["behavior"]?.DeepClone();
            spec.Remove("behavior");
        }
        if (served["status"] is JsonObject status)
        {
            var current = status["currentMetrics"] as JsonArray ?? [];
            status.Remove("currentMetrics");
            var cpu = current.OfType<JsonObject>().FirstOrDefault(m => m["type"].AsText() == "Resource" && m["resource"]?["name"].AsText() == "cpu"
                && m["resource"]?["current"]?["averageUtilization"] is not null);
            if (cpu is not null)
            {
                status["currentCPUUtilizationPercentage"] = cpu["resource"]!["current"]!["averageUtilization"]!.DeepClone();
            }
            annotations[CurrentMetricsAnnotation] = Rest(current, cpu);
            annotations[ConditionsAnnotation] = status["conditions"]?.DeepClone();
            status.Remove("conditions");
        }
        foreach (var (name, value) in annotations)
        {
            if (value is JsonArray { Count: 0 } or null)
            {
                continue;
            }
            var metadata = served["metadata"] as JsonObject ?? (JsonObject)(served["metadata"] = new JsonObject());
            var kept = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
            kept[name] = value.ToJsonString();
        }
        return served;
    }

    public JsonObject ToStored(JsonObject served)
    {
        var stored = (JsonObject)served.DeepClone();
        stored["apiVersion"] = "autoscaling/v2";
        var annotations = stored["metadata"]?["annotations"] as JsonObject;
        JsonNode? Take(string name)
        {
            var text = annotations?[name].AsText();
            annotations?.Remove(name);
            try
            {
                return text is null ? null : JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                return null; // not what the conversion wrote: dropped, as kube-apiserver drops what it cannot read
            }
        }
        var spec = stored["spec"] as JsonObject ?? (JsonObject)(stored["spec"] = new JsonObject());
        var metrics = Take(MetricsAnnotation) as JsonArray ?? [];
        if (spec["targetCPUUtilizationPercentage"] is { } target)
        {
            metrics.Insert(0, CpuUtilization(target.DeepClone()));
        }
        else if (metrics.Count == 0)
        {
            metrics.Add(CpuUtilization(80));
        }
        spec.Remove("targetCPUUtilizationPercentage");
        spec["metrics"] = metrics;
        if (Take(BehaviorAnnotation) is JsonObject behavior)
        {
            spec["behavior"] = behavior;
        }
        var currentMetrics = Take(CurrentMetricsAnnotation) as JsonArray ?? [];
        var conditions = Take(ConditionsAnnotation) as JsonArray;
        if (stored["status"] is JsonObject status)
        {
            if (status["currentCPUUtilizationPercentage"] is { } current)
            {
                currentMetrics.Insert(0, new JsonObject
                {
                    ["type"] = "Resource",
                    ["resource"] = new JsonObject { ["name"] = "cpu", ["current"] = new JsonObject { ["averageUtilization"] = current.DeepClone() } },
                });
            }
            status.Remove("currentCPUUtilizationPercentage");
            if (currentMetrics.Count > 0)
            {
                status["currentMetrics"] = currentMetrics;
            }
            if (conditions is not null)
            {
                status["conditions"] = conditions;
            }
        }
        if (annotations is { Count: 0 })
        {
            stored["metadata"]!.AsObject().Remove("annotations");
        }
        return stored;
    }

    private static bool IsCpuUtilization(JsonObject metric) =>
        metric["type"].AsText() == "Resource" && metric["resource"]?["name"].AsText() == "cpu"
        && metric["resource"]?["target"]?["type"].AsText() == "Utilization" && metric["resource"]?["target"]?["averageUtilization"] is not null;

    private static JsonObject CpuUtilization(JsonNode percent) => new()
    {
        ["type"] = "Resource",
        ["resource"] = new JsonObject
        {
            ["name"] = "cpu",
            ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = percent },
        },
    };

    private static JsonArray Rest(JsonArray list, JsonObject? taken) => [.. list.Where(m => !ReferenceEquals(m, taken)).Select(m => m?.DeepClone())];
}
