using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>Events (core/v1): what happened to an object, as <c>kubectl describe</c> and <c>kubectl get events</c> show it.</summary>
internal sealed class EventStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Last Seen", "string", "", "The time the event was last seen.", 0, (obj, now) => Age(LastSeen(obj), now)),
        new("Type", "string", "", "Normal or Warning.", 0, (obj, _) => obj["type"].AsText()),
        new("Reason", "string", "", "Why the event happened.", 0, (obj, _) => obj["reason"].AsText()),
        new("Object", "string", "", "The object the event is about.", 0, (obj, _) =>
            $"{obj["involvedObject"]?["kind"].AsText()?.ToLowerInvariant()}/{obj["involvedObject"]?["name"].AsText()}"),
        new("Subobject", "string", "", "The part of the object the event is about.", 1, (obj, _) => obj["involvedObject"]?["fieldPath"].AsText() ?? ""),
        new("Source", "string", "", "What reported the event.", 1, (obj, _) =>
            obj["source"]?["component"].AsText() ?? obj["reportingComponent"].AsText() ?? ""),
        new("Message", "string", "", "A human-readable description.", 0, (obj, _) => obj["message"].AsText()),
        new("First Seen", "string", "", "The time the event was first seen.", 1, (obj, now) =>
            Age(obj["firstTimestamp"].AsText() ?? obj["eventTime"].AsText() ?? obj["metadata"]?["creationTimestamp"].AsText(), now)),
        new("Count", "string", "", "How often the event happened.", 1, (obj, _) =>
            (obj["count"].AsLong() ?? obj["series"]?["count"].AsLong() ?? 1).ToString(CultureInfo.InvariantCulture)),
        new("Name", "string", "", "The event's name.", 1, (obj, _) => obj["metadata"]?["name"].AsText()),
    ];

    public IReadOnlyCollection<string> FieldLabels { get; } =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
        "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
    ];

    public void ApplyDefaults(JsonObject obj)
    {
        obj["type"] ??= "Normal";
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var error in ObjectMetaValidation.Name(obj, label: false))
        {
            yield return error;
        }
        if (obj["involvedObject"] is not JsonObject)
        {
            yield return FieldError.Required("involvedObject");
        }
        if (obj["type"].AsText() is not ("Normal" or "Warning"))
        {
            yield return new FieldError("type", "FieldValueNotSupported", $"Unsupported value: \"{obj["type"].AsText()}\": supported values: \"Normal\", \"Warning\"");
        }
    }

    private static string? LastSeen(JsonObject obj) =>
        obj["lastTimestamp"].AsText() ?? obj["series"]?["lastObservedTime"].AsText() ?? obj["eventTime"].AsText()
        ?? obj["metadata"]?["creationTimestamp"].AsText();

    private static string Age(string? at, DateTimeOffset now) =>
        DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? HumanDuration.Format(now - time) : "<unknown>";
}
