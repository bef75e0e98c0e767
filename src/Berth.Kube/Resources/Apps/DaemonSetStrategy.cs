using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Apps;

/// <summary>DaemonSets: one pod per node, kept as kube-apiserver defaults and checks them.</summary>
internal sealed class DaemonSetStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        Count("Desired", "The desired number of nodes that should be running the daemon pod.", "desiredNumberScheduled"),
        Count("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.", "currentNumberScheduled"),
        Count("Ready", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.", "numberReady"),
        Count("Up-to-date", "The total number of nodes that are running updated daemon pod", "updatedNumberScheduled"),
        Count("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.", "numberAvailable"),
        new("Node Selector", "string", "", "NodeSelector is a selector which must be true for the pod to fit on a node.", 0, (obj, _) =>
            obj["spec"]?["template"]?["spec"]?["nodeSelector"] is JsonObject { Count: > 0 } selector
                ? string.Join(",", selector.Select(p => $"{p.Key}={p.Value.AsText()}"))
                : "<none>"),
        TableColumn.AgeColumn(),
        .. WorkloadTemplate.WideColumns("A label query over pods that are managed by the daemon set."),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public bool TracksGeneration => true;

    public IReadOnlyDictionary<string, string> MergeKeys { get; } = Resources.MergeKeys.ForPodSpecAt("spec.template.spec");

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
        spec["revisionHistoryLimit"] ??= 10;
        var update = spec["updateStrategy"] as JsonObject ?? (JsonObject)(spec["updateStrategy"] = new JsonObject());
        update["type"] ??= "RollingUpdate";
        if (update["type"].AsText() == "RollingUpdate")
        {
            var rolling = update["rollingUpdate"] as JsonObject ?? (JsonObject)(update["rollingUpdate"] = new JsonObject());
            rolling["maxUnavailable"] ??= 1;
            rolling["maxSurge"] ??= 0;
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => WorkloadTemplate.Validate(obj);

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => WorkloadTemplate.ValidateUpdate(obj, old);

    private static TableColumn Count(string name, string description, string field) =>
        new(name, "integer", "", description, 0, (obj, _) => obj["status"]?[field].AsLong() ?? 0);
}
