using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Apps;

internal sealed class ReplicaSetStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Desired", "integer", "", "Number of desired pods.", 0, (obj, _) => Count(obj["spec"]?["replicas"])),
        new("Current", "integer", "", "Number of actual replicas.", 0, (obj, _) => Count(obj["status"]?["replicas"])),
        new("Ready", "integer", "", "The number of ready replicas for this replica set.", 0, (obj, _) => Count(obj["status"]?["readyReplicas"])),
        TableColumn.AgeColumn(),
        .. WorkloadTemplate.WideColumns("Label selector for pods. If empty, it defaults to labels on Pod template."),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public bool TracksGeneration => true;

    public ScaleSpec? Scale { get; } = new();

    public IReadOnlyDictionary<string, string> MergeKeys { get; } = Resources.MergeKeys.ForPodSpecAt("spec.template.spec");

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = WorkloadTemplate.ApplyDefaults(obj);
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => WorkloadTemplate.Validate(obj);

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => WorkloadTemplate.ValidateUpdate(obj, old);

    private static long Count(JsonNode? node) => node.AsLong() ?? 0;
}
