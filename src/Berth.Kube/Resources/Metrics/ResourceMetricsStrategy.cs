using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Metrics;

/// <summary>
/// NodeMetrics and PodMetrics (metrics.k8s.io/v1beta1): computed, never stored or written, and printed as
/// metrics-server prints them, a pod's usage summed over its containers.
/// </summary>
internal sealed class ResourceMetricsStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("CPU", "string", "", "CPU usage", 0, (obj, _) => Sum(obj, "cpu")),
        new("Memory", "string", "", "Memory usage", 0, (obj, _) => Sum(obj, "memory")),
        new("Window", "string", "", "Time window", 0, (obj, _) => obj["window"].AsText()),
    ];

    public bool Computed => true;

    public void ApplyDefaults(JsonObject obj)
    {
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => [];

    private static string? Sum(JsonObject obj, string resource)
    {
        var usages = obj["containers"] is JsonArray containers ? containers.Select(c => c?["usage"]) : [obj["usage"]];
        var total = usages.Sum(u => Quantity.Parse(u?[resource].AsText()) ?? 0);
        return resource == "cpu" ? UsageQuantity.Cpu(total * 1_000_000_000) : UsageQuantity.Memory(total);
    }
}
