using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Apps;

internal sealed class DeploymentStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Ready", "string", "", "Number of the pod with ready state", 0,
            (obj, _) => $"{Count(obj["status"]?["readyReplicas"])}/{Count(obj["spec"]?["replicas"])}"),
        new("Up-to-date", "integer", "", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", 0,
            (obj, _) => Count(obj["status"]?["updatedReplicas"])),
        new("Available", "integer", "", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", 0,
            (obj, _) => Count(obj["status"]?["availableReplicas"])),
        TableColumn.AgeColumn(),
        .. WorkloadTemplate.WideColumns("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public bool TracksGeneration => true;

    public bool GenerationCountsAnnotations => true;

    public ScaleSpec? Scale { get; } = new();

    public IReadOnlyDictionary<string, string> MergeKeys { get; } = Resources.MergeKeys.ForPodSpecAt("spec.template.spec");

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = WorkloadTemplate.ApplyDefaults(obj);
        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
        var strategy = spec["strategy"] as JsonObject ?? (JsonObject)(spec["strategy"] = new JsonObject());
        strategy["type"] ??= "RollingUpdate";
        if (strategy["type"].AsText() == "RollingUpdate")
        {
            var rolling = strategy["rollingUpdate"] as JsonObject ?? (JsonObject)(strategy["rollingUpdate"] = new JsonObject());
            rolling["maxUnavailable"] ??= "25%";
            rolling["maxSurge"] ??= "25%";
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => WorkloadTemplate.Validate(obj);

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => WorkloadTemplate.ValidateUpdate(obj, old);

    private static long Count(JsonNode? node) => node.AsLong() ?? 0;
}
