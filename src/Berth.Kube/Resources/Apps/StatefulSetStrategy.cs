using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Apps;

/// <summary>StatefulSets: replicas with stable names, kept as kube-apiserver defaults and checks them.</summary>
internal sealed class StatefulSetStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Ready", "string", "", "Number of the pod with ready state", 0,
            (obj, _) => $"{obj["status"]?["readyReplicas"].AsLong() ?? 0}/{obj["spec"]?["replicas"].AsLong() ?? 0}"),
        TableColumn.AgeColumn(),
        .. WorkloadTemplate.WideColumns("Label selector for pods. Existing pods selected by this will be the ones affected by this statefulset."),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public bool TracksGeneration => true;

    public ScaleSpec? Scale { get; } = new();

    public IReadOnlyDictionary<string, string> MergeKeys { get; } = Resources.MergeKeys.ForPodSpecAt("spec.template.spec");

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = WorkloadTemplate.ApplyDefaults(obj);
        spec["podManagementPolicy"] ??= "OrderedReady";
        spec["revisionHistoryLimit"] ??= 10;
        var update = spec["updateStrategy"] as JsonObject ?? (JsonObject)(spec["updateStrategy"] = new JsonObject());
        update["type"] ??= "RollingUpdate";
        if (update["type"].AsText() == "RollingUpdate")
        {
            var rolling = update["rollingUpdate"] as JsonObject ?? (JsonObject)(update["rollingUpdate"] = new JsonObject());
            rolling["partition"] ??= 0;
        }
        var retention = spec["persistentVolumeClaimRetentionPolicy"] as JsonObject
            ?? (JsonObject)(spec["persistentVolumeClaimRetentionPolicy"] = new JsonObject());
        retention["whenDeleted"] ??= "Retain";
        retention["whenScaled"] ??= "Retain";
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var error in WorkloadTemplate.Validate(obj))
        {
            yield return error;
        }
        if (obj["spec"]?["podManagementPolicy"].AsText() is not ("OrderedReady" or "Parallel") and var policy)
        {
            yield return new FieldError("spec.podManagementPolicy", "FieldValueNotSupported",
                $"Unsupported value: \"{policy}\": supported values: \"OrderedReady\", \"Parallel\"");
        }
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => WorkloadTemplate.ValidateUpdate(obj, old);
}
