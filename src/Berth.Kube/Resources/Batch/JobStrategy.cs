using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Batch;

/// <summary>
/// Jobs: pods that run to completion. Without <c>manualSelector</c>, kube-apiserver gives a Job a selector on its
/// own uid and labels its template to match; this does the same.
/// </summary>
internal sealed class JobStrategy : IResourceStrategy
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";

    private static readonly string[] s_restartPolicies = ["OnFailure", "Never"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Status", "string", "", "Status of the job.", 0, (obj, _) => Status(obj)),
        new("Completions", "string", "", "The completed job pods out of those asked for.", 0, (obj, _) =>
            $"{obj["status"]?["succeeded"].AsLong() ?? 0}/{(obj["spec"]?["completions"].AsLong() is { } n ? n.ToString(CultureInfo.InvariantCulture) : "1")}"),
        new("Duration", "string", "", "Time required to complete the job.", 0, (obj, now) => Duration(obj, now)),
        TableColumn.AgeColumn(),
        .. WorkloadTemplate.WideColumns("The selector of the job's pods."),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public bool TracksGeneration => true;

    public IReadOnlyDictionary<string, string> MergeKeys { get; } = Resources.MergeKeys.ForPodSpecAt("spec.template.spec");

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        if (spec["completions"] is null && spec["parallelism"] is null)
        {
            spec["completions"] = 1;
        }
        spec["parallelism"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        spec["podReplacementPolicy"] ??= "TerminatingOrFailed";
        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
        if (spec["manualSelector"].AsBool() == true || obj["metadata"]?["uid"].AsText() is not { } uid)
        {
            return;
        }
        var name = obj["metadata"]!["name"].AsText() ?? "";
        spec["selector"] ??= new JsonObject { ["matchLabels"] = new JsonObject { [ControllerUidLabel] = uid } };
        var template = spec["template"] as JsonObject ?? (JsonObject)(spec["template"] = new JsonObject());
        var metadata = template["metadata"] as JsonObject ?? (JsonObject)(template["metadata"] = new JsonObject());
        var labels = metadata["labels"] as JsonObject ?? (JsonObject)(metadata["labels"] = new JsonObject());
        labels[ControllerUidLabel] ??= uid;
        labels[JobNameLabel] ??= name;
        labels["controller-uid"] ??= uid;
        labels["job-name"] ??= name;
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => Validate(obj, "spec", obj["spec"]);

    /// <summary>The checks of a job spec, also as a CronJob's <c>jobTemplate</c> holds one.</summary>
    public static IEnumerable<FieldError> Validate(JsonObject obj, string path, JsonNode? spec)
    {
        foreach (var error in ObjectMetaValidation.Name(obj, label: false))
        {
            yield return error;
        }
        foreach (var field in new[] { "parallelism", "completions", "backoffLimit" })
        {
            if (spec?[field].AsLong() is < 0)
            {
                yield return FieldError.Invalid($"{path}.{field}", spec[field]!.ToJsonString(), "must be greater than or equal to 0");
            }
        }
        if (spec?["completionMode"].AsText() is { } mode && mode is not ("NonIndexed" or "Indexed"))
        {
            yield return new FieldError($"{path}.completionMode", "FieldValueNotSupported", $"Unsupported value: \"{mode}\": supported values: \"NonIndexed\", \"Indexed\"");
        }
        if (spec?["completionMode"].AsText() == "Indexed" && spec["completions"] is null)
        {
            yield return FieldError.Required($"{path}.completions", "when completion mode is Indexed");
        }
        var podSpec = spec?["template"]?["spec"];
        if (podSpec is JsonObject && podSpec["restartPolicy"].AsText() is not ("OnFailure" or "Never"))
        {
            yield return new FieldError($"{path}.template.spec.restartPolicy", "FieldValueRequired", "Required value: valid values: \"OnFailure\", \"Never\"");
        }
        foreach (var error in PodSpecValidation.Validate(podSpec, $"{path}.template.spec", s_restartPolicies))
        {
            yield return error;
        }
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        if (!JsonNode.DeepEquals(obj["spec"]?["selector"], old["spec"]?["selector"]))
        {
            yield return FieldError.Invalid("spec.selector", obj["spec"]?["selector"]?.ToJsonString() ?? "null", "field is immutable");
        }
    }

    private static string Status(JsonObject obj)
    {
        var conditions = (obj["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(c => c["status"].AsText() == "True").Select(c => c["type"].AsText()).ToList();
        return conditions.Contains("Complete") ? "Complete"
            : conditions.Contains("Failed") ? "Failed"
            : obj["spec"]?["suspend"].AsBool() == true ? "Suspended"
            : "Running";
    }

    private static string Duration(JsonObject obj, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(obj["status"]?["startTime"].AsText(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start))
        {
            return "";
        }
        var end = DateTimeOffset.TryParse(obj["status"]?["completionTime"].AsText(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var done)
            ? done
            : now;
        return HumanDuration.Format(end - start);
    }
}
