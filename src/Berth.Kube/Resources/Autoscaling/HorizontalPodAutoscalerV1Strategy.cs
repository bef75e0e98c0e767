using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Autoscaling;

/// <summary>
/// autoscaling/v1 HorizontalPodAutoscalers (what <c>kubectl autoscale</c> creates): defaulted, checked and printed
/// as the v2 autoscaler they are (<see cref="HorizontalPodAutoscalerV1"/>), plus v1's own check of the CPU target.
/// </summary>
internal sealed class HorizontalPodAutoscalerV1Strategy(IResourceStrategy v2) : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
        [.. v2.Columns.Select(c => c with { Cell = (obj, now) => c.Cell(HorizontalPodAutoscalerV1.Converter.ToStored(obj), now) })];

    public bool HasStatus => true;

    public bool TracksGeneration => true;

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["minReplicas"] ??= 1;
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = v2.Validate(HorizontalPodAutoscalerV1.Converter.ToStored(obj)).Where(e => !e.Field.StartsWith("spec.metrics", StringComparison.Ordinal)).ToList();
        if (obj["spec"]?["targetCPUUtilizationPercentage"].AsLong() is < 1 and var target)
        {
            errors.Add(FieldError.Invalid("spec.targetCPUUtilizationPercentage", target, "must be greater than 0"));
        }
        return errors;
    }
}
