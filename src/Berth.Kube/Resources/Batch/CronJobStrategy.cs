using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Batch;

/// <summary>CronJobs: Jobs made on a schedule, kept as kube-apiserver defaults and checks them.</summary>
internal sealed class CronJobStrategy : IResourceStrategy
{
    private static readonly string[] s_macros = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Schedule", "string", "", "The schedule in Cron format.", 0, (obj, _) => obj["spec"]?["schedule"].AsText()),
        new("Timezone", "string", "", "The time zone of the schedule.", 0, (obj, _) => obj["spec"]?["timeZone"].AsText() ?? "<none>"),
        new("Suspend", "boolean", "", "Whether further executions are suspended.", 0, (obj, _) => obj["spec"]?["suspend"].AsBool() == true ? "True" : "False"),
        new("Active", "integer", "", "The number of jobs running.", 0, (obj, _) => (obj["status"]?["active"] as JsonArray)?.Count ?? 0),
        new("Last Schedule", "date", "", "When the job was last scheduled.", 0, (obj, now) =>
            DateTimeOffset.TryParse(obj["status"]?["lastScheduleTime"].AsText(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? HumanDuration.Format(now - at)
                : "<none>"),
        TableColumn.AgeColumn(),
        new("Containers", "string", "", "Names of each container in the template.", 1, (obj, _) => string.Join(",", Containers(obj).Select(c => c["name"].AsText()))),
        new("Images", "string", "", "Images referenced by each container in the template.", 1, (obj, _) => string.Join(",", Containers(obj).Select(c => c["image"].AsText()))),
        new("Selector", "string", "", "The selector of the jobs' pods.", 1, (obj, _) => LabelSelector.Format(obj["spec"]?["jobTemplate"]?["spec"]?["selector"]) is { Length: > 0 } s ? s : "<none>"),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public bool TracksGeneration => true;

    public IReadOnlyDictionary<string, string> MergeKeys { get; } = Resources.MergeKeys.ForPodSpecAt("spec.jobTemplate.spec.template.spec");

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["concurrencyPolicy"] ??= "Allow";
        spec["suspend"] ??= false;
        spec["successfulJobsHistoryLimit"] ??= 3;
        spec["failedJobsHistoryLimit"] ??= 1;
        if (spec["jobTemplate"]?["spec"]?["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = JobStrategy.Validate(obj, "spec.jobTemplate.spec", obj["spec"]?["jobTemplate"]?["spec"]).ToList();
        var schedule = obj["spec"]?["schedule"].AsText();
        if (string.IsNullOrWhiteSpace(schedule))
        {
            errors.Add(FieldError.Required("spec.schedule"));
        }
        else if (!s_macros.Contains(schedule) && schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, $"unparseable schedule: expected exactly 5 fields, found {schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length}: [{schedule}]"));
        }
        if (obj["spec"]?["concurrencyPolicy"].AsText() is not ("Allow" or "Forbid" or "Replace") and var policy)
        {
            errors.Add(new FieldError("spec.concurrencyPolicy", "FieldValueNotSupported", $"Unsupported value: \"{policy}\": supported values: \"Allow\", \"Forbid\", \"Replace\""));
        }
        if (obj["metadata"]?["name"].AsText() is { Length: > 52 } name)
        {
            errors.Add(FieldError.Invalid("metadata.name", name, "must be no more than 52 characters"));
        }
        return errors;
    }

    private static IEnumerable<JsonObject> Containers(JsonObject obj) =>
        (obj["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>();
}
