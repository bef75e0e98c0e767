using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Apps;

/// <summary>DaemonSets: one pod per node, kept as kube-apiserver defaults and checks them.</summary>
internal sealed class DaemonSetStrategy : IResourceStrategy
{
    /// <summary>Where kube-apiserver keeps a DaemonSet's template generation, which its pods carry in <c>pod-template-generation</c>.</summary>
    public const string TemplateGenerationAnnotation = "deprecated.daemonset.template.generation";

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

    /// <summary>
    /// Keeps the template generation as kube-apiserver does, in the <c>deprecated.daemonset.template.generation</c>
    /// annotation: one more than before when the template changed, else what it was.
    /// </summary>
    public void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        var before = long.TryParse(old["metadata"]?["annotations"]?[TemplateGenerationAnnotation].AsText(), NumberStyles.None, CultureInfo.InvariantCulture, out var known)
            ? known : 1;
        var defaulted = (JsonObject)obj.DeepClone();
        ApplyTemplateDefaults(defaulted);
        var changed = !JsonNode.DeepEquals(defaulted["spec"]?["template"], old["spec"]?["template"]);
        var metadata = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        var annotations = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
        annotations[TemplateGenerationAnnotation] = (changed ? before + 1 : before).ToString(CultureInfo.InvariantCulture);
    }

    public void ApplyDefaults(JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        var annotations = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
        if (!long.TryParse(annotations[TemplateGenerationAnnotation].AsText(), NumberStyles.None, CultureInfo.InvariantCulture, out var generation) || generation < 1)
        {
            annotations[TemplateGenerationAnnotation] = "1";
        }
        ApplyTemplateDefaults(obj);
        var spec = (JsonObject)obj["spec"]!;
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

    private static void ApplyTemplateDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => WorkloadTemplate.Validate(obj);

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) => WorkloadTemplate.ValidateUpdate(obj, old);

    private static TableColumn Count(string name, string description, string field) =>
        new(name, "integer", "", description, 0, (obj, _) => obj["status"]?[field].AsLong() ?? 0);
}
