using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Autoscaling;

/// <summary>An autoscaler's metrics: each checked for its type, and printed as "current/target" the way kubectl does.</summary>
internal static class HorizontalPodAutoscalerMetrics
{
    private static readonly string[] s_types = ["ContainerResource", "External", "Object", "Pods", "Resource"];

    /// <summary>The source field each metric type keeps its details in.</summary>
    private static readonly Dictionary<string, string> s_sources = new(StringComparer.Ordinal)
    {
        ["ContainerResource"] = "containerResource",
        ["External"] = "external",
        ["Object"] = "object",
        ["Pods"] = "pods",
        ["Resource"] = "resource",
    };

    public static IEnumerable<FieldError> Validate(JsonArray metrics)
    {
        for (var i = 0; i < metrics.Count; i++)
        {
            var path = $"spec.metrics[{i}]";
            var type = metrics[i]?["type"].AsText();
            if (string.IsNullOrEmpty(type))
            {
                yield return FieldError.Required($"{path}.type", "must specify a metric source type");
            }
            else if (!s_types.Contains(type))
            {
                yield return FieldError.NotSupported($"{path}.type", type, s_types);
            }
            else if (metrics[i]?[s_sources[type]] is not JsonObject)
            {
                yield return FieldError.Required($"{path}.{s_sources[type]}", $"must populate information for the given metric source");
            }
        }
    }

    /// <summary>At most two metrics, "+ N more..." for the rest; "&lt;none&gt;" when there are none.</summary>
    public static string Format(JsonArray? specs, JsonArray? statuses)
    {
        if (specs is not { Count: > 0 })
        {
            return "<none>";
        }
        var list = specs.Select((spec, i) => One(spec as JsonObject ?? [], i < (statuses?.Count ?? 0) ? statuses![i] as JsonObject : null)).ToList();
        return list.Count > 2 ? $"{string.Join(", ", list.Take(2))} + {list.Count - 2} more..." : string.Join(", ", list);
    }

    private static string One(JsonObject spec, JsonObject? status)
    {
        var type = spec["type"].AsText() ?? "";
        if (!s_sources.TryGetValue(type, out var source) || spec[source] is not JsonObject metric)
        {
            return "<unknown type>";
        }
        var target = metric["target"] as JsonObject ?? [];
        var current = status?[source]?["current"] as JsonObject;
        switch (type)
        {
            case "Resource" or "ContainerResource":
                var name = metric["name"].AsText();
                if (target["averageValue"].AsText() is { } averageValue)
                {
                    return $"{name}: {current?["averageValue"].AsText() ?? "<unknown>"}/{averageValue}";
                }
                var now = current?["averageUtilization"].AsLong() is { } percent ? $"{percent}%" : "<unknown>";
                var wanted = target["averageUtilization"].AsLong() is { } goal ? $"{goal}%" : "<auto>";
                return $"{name}: {now}/{wanted}";
            case "Pods":
                return $"{current?["averageValue"].AsText() ?? "<unknown>"}/{target["averageValue"].AsText()}";
            default:
                return target["averageValue"].AsText() is { } average
                    ? $"{current?["averageValue"].AsText() ?? "<unknown>"}/{average} (avg)"
                    : $"{current?["value"].AsText() ?? "<unknown>"}/{target["value"].AsText()}";
        }
    }
}
