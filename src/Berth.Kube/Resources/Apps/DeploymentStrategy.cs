using System.Text.Json;
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
        new("Containers", "string", "", "Names of each container in the template.", 1,
            (obj, _) => string.Join(",", Containers(obj).Select(c => c["name"].AsText()))),
        new("Images", "string", "", "Images referenced by each container in the template.", 1,
            (obj, _) => string.Join(",", Containers(obj).Select(c => c["image"].AsText()))),
        new("Selector", "string", "", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1,
            (obj, _) => LabelSelector.Format(obj["spec"]?["selector"])),
    ];

    public bool HasStatus => true;

    public bool TracksGeneration => true;

    public ScaleSpec? Scale { get; } = new();

    public IReadOnlyDictionary<string, string> MergeKeys { get; } = Resources.MergeKeys.ForPodSpecAt("spec.template.spec");

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["replicas"] ??= 1;
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
        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var spec = obj["spec"];
        if (spec?["replicas"] is JsonValue replicas && (replicas.GetValueKind() != JsonValueKind.Number || !replicas.TryGetValue<int>(out var count) || count < 0))
        {
            errors.Add(new FieldError("spec.replicas", "FieldValueInvalid", $"Invalid value: {replicas.ToJsonString()}: must be greater than or equal to 0"));
        }
        var selector = spec?["selector"];
        if (selector is not JsonObject || LabelSelector.Format(selector).Length == 0)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            var labels = spec?["template"]?["metadata"]?["labels"] as JsonObject;
            if (!LabelSelector.FromObject(selector).Matches(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labels?.DeepClone() } }))
            {
                errors.Add(new FieldError("spec.template.metadata.labels", "FieldValueInvalid",
                    $"Invalid value: {labels?.ToJsonString() ?? "null"}: `selector` does not match template `labels`"));
            }
        }
        errors.AddRange(PodSpecValidation.Validate(spec?["template"]?["spec"], "spec.template.spec", ["Always"]));
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        if (!JsonNode.DeepEquals(obj["spec"]?["selector"], old["spec"]?["selector"]))
        {
            yield return new FieldError("spec.selector", "FieldValueInvalid",
                $"Invalid value: {obj["spec"]?["selector"]?.ToJsonString() ?? "null"}: field is immutable");
        }
    }

    private static long Count(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var count) ? count : 0;

    private static IEnumerable<JsonObject> Containers(JsonObject obj) =>
        (obj["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>();
}
