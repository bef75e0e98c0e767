using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Workloads;

/// <summary>
/// The checks of kinds that run replicas of a pod template (Deployment, ReplicaSet …): replicas, a selector
/// that matches the template's labels and never changes, and the template's pod spec.
/// </summary>
internal static class WorkloadTemplate
{
    public static IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var spec = obj["spec"];
        if (spec?["replicas"] is JsonValue replicas && replicas.AsLong() is not (>= 0 and <= int.MaxValue))
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
        // a StatefulSet's pods also mount the claims its templates make for them
        var claims = (spec?["volumeClaimTemplates"] as JsonArray)?.Select(t => t?["metadata"]?["name"].AsText()).OfType<string>() ?? [];
        errors.AddRange(PodSpecValidation.Validate(spec?["template"]?["spec"], "spec.template.spec", ["Always"], claims));
        return errors;
    }

    public static IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
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

    /// <summary>One replica and the pod-spec defaults in the template; returns the spec for the kind's own defaults.</summary>
    public static JsonObject ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["replicas"] ??= 1;
        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
        return spec;
    }

    /// <summary>The <c>-o wide</c> columns of every workload: its template's containers and images, and its selector.</summary>
    public static IEnumerable<TableColumn> WideColumns(string selectorDescription) =>
    [
        new("Containers", "string", "", "Names of each container in the template.", 1,
            (obj, _) => string.Join(",", Containers(obj).Select(c => c["name"].AsText()))),
        new("Images", "string", "", "Images referenced by each container in the template.", 1,
            (obj, _) => string.Join(",", Containers(obj).Select(c => c["image"].AsText()))),
        new("Selector", "string", "", selectorDescription, 1, (obj, _) => LabelSelector.Format(obj["spec"]?["selector"])),
    ];

    public static IEnumerable<JsonObject> Containers(JsonObject obj) =>
        (obj["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>();
}
