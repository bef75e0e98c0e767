using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Kube.Api;
using Berth.Kube.Controllers.Batch;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Batch;

/// <summary>CronJobs: Jobs made on a schedule, kept as kube-apiserver defaults and checks them.</summary>
internal sealed partial class CronJobStrategy : IResourceStrategy
{
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
        else
        {
            errors.AddRange(ValidateSchedule(schedule, obj["spec"]?["timeZone"] is not null, allowTimeZoneInSchedule: false));
        }
        if (obj["spec"]?["timeZone"] is { } zone && ValidateTimeZone(zone.AsText() ?? "") is { } zoneError)
        {
            errors.Add(FieldError.Invalid("spec.timeZone", zone.AsText() ?? "", zoneError));
        }
        foreach (var field in new[] { "startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit" })
        {
            if (obj["spec"]?[field].AsLong() is < 0)
            {
                errors.Add(FieldError.Invalid($"spec.{field}", obj["spec"]![field]!.ToJsonString(), "must be greater than or equal to 0"));
            }
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

    /// <summary>As kube-apiserver: a schedule that names its zone (TZ=, CRON_TZ=) only on an object whose schedule already did.</summary>
    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        var errors = Validate(obj).Where(e => e.Field != "spec.schedule").ToList();
        if (obj["spec"]?["schedule"].AsText() is { Length: > 0 } schedule)
        {
            var allowed = old["spec"]?["schedule"].AsText()?.Contains("TZ", StringComparison.Ordinal) == true;
            errors.AddRange(ValidateSchedule(schedule, obj["spec"]?["timeZone"] is not null, allowed));
        }
        else
        {
            errors.Add(FieldError.Required("spec.schedule"));
        }
        return errors;
    }

    private static IEnumerable<FieldError> ValidateSchedule(string schedule, bool hasTimeZone, bool allowTimeZoneInSchedule)
    {
        string? problem = null;
        try
        {
            CronSchedule.Parse(schedule, TimeZoneInfo.Utc);
        }
        catch (FormatException e)
        {
            problem = e.Message;
        }
        if (problem is not null)
        {
            yield return FieldError.Invalid("spec.schedule", schedule, problem);
        }
        if (schedule.Contains("TZ", StringComparison.Ordinal))
        {
            if (!allowTimeZoneInSchedule)
            {
                yield return FieldError.Invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
            }
            else if (hasTimeZone)
            {
                yield return FieldError.Invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule");
            }
        }
    }

    /// <summary>Kubernetes' check of an IANA zone name; null when it is one.</summary>
    private static string? ValidateTimeZone(string zone)
    {
        if (zone.Length == 0)
        {
            return "timeZone must be nil or non-empty string";
        }
        if (zone.Split('/').Any(part => part is "." or ".." || part.StartsWith('-') || !TimeZonePart().IsMatch(part)))
        {
            return $"unknown time zone {zone}";
        }
        if (zone.Equals("Local", StringComparison.OrdinalIgnoreCase))
        {
            return "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones";
        }
        return CronSchedule.FindZone(zone) is null ? $"unknown time zone {zone}" : null;
    }

    [GeneratedRegex(@"^[A-Za-z\.\-_0-9+]{1,14}$")]
    private static partial Regex TimeZonePart();

    private static IEnumerable<JsonObject> Containers(JsonObject obj) =>
        (obj["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>();
}
