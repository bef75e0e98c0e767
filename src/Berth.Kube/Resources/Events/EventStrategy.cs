using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Events;

/// <summary>
/// Events seen through events.k8s.io/v1, whose writes Kubernetes checks more strictly than core/v1's: an event
/// time, a reporting controller and instance, an action and a reason, and none of the deprecated fields. Errors
/// name the core fields, as kube-apiserver names them. Printed as core Events are.
/// </summary>
internal sealed class EventStrategy(IResourceStrategy core) : IResourceStrategy
{
    private const int ReportingInstanceLimit = 128;
    private const int ActionLimit = 128;
    private const int ReasonLimit = 128;
    private const int NoteLimit = 1024;

    private static readonly string[] s_immutable =
        ["regarding", "reason", "note", "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount",
         "type", "eventTime", "action", "related", "reportingController", "reportingInstance"];

    public IReadOnlyList<TableColumn> Columns { get; } =
        [.. core.Columns.Select(c => c with { Cell = (obj, now) => c.Cell(EventsV1.Converter.ToStored(obj), now) })];

    public IReadOnlyCollection<string> FieldLabels { get; } =
    [
        "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion", "regarding.resourceVersion",
        "regarding.fieldPath", "reason", "reportingController", "type",
    ];

    public void ApplyDefaults(JsonObject obj)
    {
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        errors.AddRange(Reported(obj));
        errors.AddRange(Series(obj));
        if (obj["eventTime"] is null)
        {
            errors.Add(FieldError.Required("eventTime"));
        }
        if (obj["type"].AsText() is not ("Normal" or "Warning"))
        {
            errors.Add(FieldError.Invalid("type", "", $"has invalid value: {obj["type"].AsText()}"));
        }
        foreach (var (served, path) in new[]
        {
            ("deprecatedFirstTimestamp", "firstTimestamp"), ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"),
        })
        {
            if (obj[served] is not null && obj[served]!.ToJsonString() is not ("0" or "null"))
            {
                errors.Add(FieldError.Invalid(path, "", "needs to be unset"));
            }
        }
        if (obj["deprecatedSource"] is JsonObject source && (source["component"].AsText() is { Length: > 0 } || source["host"].AsText() is { Length: > 0 }))
        {
            errors.Add(FieldError.Invalid("source", "", "needs to be unset"));
        }
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        var errors = Reported(obj).ToList();
        if (!JsonNode.DeepEquals(obj["series"], old["series"]))
        {
            errors.AddRange(Series(obj));
        }
        foreach (var field in s_immutable.Where(f => !JsonNode.DeepEquals(obj[f], old[f])))
        {
            var core = EventsV1.Converter.ToStored(new JsonObject { [field] = obj[field]?.DeepClone() }).First();
            errors.Add(new FieldError(core.Key, "FieldValueInvalid", $"Invalid value: {core.Value?.ToJsonString() ?? "null"}: field is immutable"));
        }
        return errors;
    }

    /// <summary>
    /// What Kubernetes asks of every event: one without an event time (an old-style event) must be in its object's
    /// namespace; one with an event time must say who reported it, what was done and why.
    /// </summary>
    private static IEnumerable<FieldError> Reported(JsonObject obj)
    {
        var ns = obj["metadata"]?["namespace"].AsText() ?? "";
        var regardingNamespace = obj["regarding"]?["namespace"].AsText() ?? "";
        if (obj["eventTime"] is null)
        {
            if (regardingNamespace.Length == 0 ? ns is not ("" or "default") : ns != regardingNamespace)
            {
                yield return FieldError.Invalid("involvedObject.namespace", regardingNamespace, "does not match event.namespace");
            }
            yield break;
        }
        if (regardingNamespace.Length == 0 && ns is not ("default" or "kube-system"))
        {
            yield return FieldError.Invalid("involvedObject.namespace", regardingNamespace, "does not match event.namespace");
        }
        var controller = obj["reportingController"].AsText() ?? "";
        if (controller.Length == 0)
        {
            yield return FieldError.Required("reportingController");
        }
        foreach (var message in ObjectMetaValidation.QualifiedName(controller))
        {
            yield return FieldError.Invalid("reportingController", controller, message);
        }
        foreach (var (field, path, limit, required) in new[]
        {
            ("reportingInstance", "reportingInstance", ReportingInstanceLimit, true), ("action", "action", ActionLimit, true),
            ("reason", "reason", ReasonLimit, true), ("note", "message", NoteLimit, false),
        })
        {
            var value = obj[field].AsText() ?? "";
            if (required && value.Length == 0)
            {
                yield return FieldError.Required(path);
            }
            if (value.Length > limit)
            {
                yield return FieldError.Invalid(path, "", $"can have at most {limit} characters");
            }
        }
    }

    private static IEnumerable<FieldError> Series(JsonObject obj)
    {
        if (obj["series"] is not JsonObject series)
        {
            yield break;
        }
        if ((series["count"].AsLong() ?? 0) < 2)
        {
            yield return FieldError.Invalid("series.count", "", "should be at least 2");
        }
        if (series["lastObservedTime"] is null)
        {
            yield return FieldError.Required("series.lastObservedTime");
        }
    }
}
