using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Autoscaling;

/// <summary>
/// HorizontalPodAutoscalers (autoscaling/v2): defaulted as Kubernetes defaults them (one replica at least, 80% CPU
/// when no metric is named, the scaling rules' defaults when a behavior is given) and printed with their targets.
/// </summary>
internal sealed class HorizontalPodAutoscalerStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Reference", "string", "", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.", 0,
            (obj, _) => $"{obj["spec"]?["scaleTargetRef"]?["kind"].AsText()}/{obj["spec"]?["scaleTargetRef"]?["name"].AsText()}"),
        new("Targets", "string", "", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).", 0,
            (obj, _) => HorizontalPodAutoscalerMetrics.Format(obj["spec"]?["metrics"] as JsonArray, obj["status"]?["currentMetrics"] as JsonArray)),
        new("MinPods", "string", "", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.", 0,
            (obj, _) => obj["spec"]?["minReplicas"].AsLong()?.ToString(CultureInfo.InvariantCulture) ?? "<unset>"),
        new("MaxPods", "string", "", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.", 0,
            (obj, _) => obj["spec"]?["maxReplicas"].AsLong() ?? 0),
        new("Replicas", "string", "", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.", 0,
            (obj, _) => obj["status"]?["currentReplicas"].AsLong() ?? 0),
        TableColumn.AgeColumn(),
    ];

    public bool HasStatus => true;

    public bool TracksGeneration => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["minReplicas"] ??= 1;
        if (spec["metrics"] is not JsonArray { Count: > 0 })
        {
            spec["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                },
            });
        }
        if (spec["behavior"] is JsonObject behavior)
        {
            behavior["scaleUp"] = Rules(behavior["scaleUp"] as JsonObject, stabilization: 0,
                new JsonObject { ["type"] = "Pods", ["value"] = 4, ["periodSeconds"] = 15 },
                new JsonObject { ["type"] = "Percent", ["value"] = 100, ["periodSeconds"] = 15 });
            behavior["scaleDown"] = Rules(behavior["scaleDown"] as JsonObject, stabilization: 300,
                new JsonObject { ["type"] = "Percent", ["value"] = 100, ["periodSeconds"] = 15 });
        }
    }

    /// <summary>A scaling rule with what it leaves out taken from the defaults.</summary>
    private static JsonObject Rules(JsonObject? given, int stabilization, params JsonObject[] policies)
    {
        var rules = (JsonObject?)given?.DeepClone() ?? [];
        rules["stabilizationWindowSeconds"] ??= stabilization;
        rules["selectPolicy"] ??= "Max";
        rules["policies"] ??= new JsonArray([.. policies]);
        return rules;
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var spec = (JsonObject)obj["spec"]!;
        var min = spec["minReplicas"].AsLong();
        var max = spec["maxReplicas"].AsLong() ?? 0;
        if (min is < 1)
        {
            errors.Add(FieldError.Invalid("spec.minReplicas", min.Value, "must be greater than or equal to 1"));
        }
        if (max < 1)
        {
            errors.Add(FieldError.Invalid("spec.maxReplicas", max, "must be greater than 0"));
        }
        if (min is { } lower && max < lower)
        {
            errors.Add(FieldError.Invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
        }
        var target = spec["scaleTargetRef"] as JsonObject ?? [];
        foreach (var field in new[] { "kind", "name" })
        {
            var value = target[field].AsText() ?? "";
            if (value.Length == 0)
            {
                errors.Add(FieldError.Required($"spec.scaleTargetRef.{field}"));
            }
            else if (value is "." or ".." || value.Contains('/', StringComparison.Ordinal) || value.Contains('%', StringComparison.Ordinal))
            {
                errors.Add(FieldError.Invalid($"spec.scaleTargetRef.{field}", value, value is "." or ".." ? $"may not be '{value}'" : "may not contain '/' or '%'"));
            }
        }
        errors.AddRange(HorizontalPodAutoscalerMetrics.Validate(spec["metrics"] as JsonArray ?? []));
        return errors;
    }
}
