namespace Berth.Kube.Resources.Events;

/// <summary>events.k8s.io/v1 Events are core/v1 Events under other field names; this is the map between the two.</summary>
internal static class EventsV1
{
    public static readonly RenamingConverter Converter = new("v1", "events.k8s.io/v1",
    [
        ("message", "note"),
        ("involvedObject", "regarding"),
        ("reportingComponent", "reportingController"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
    ]);

    /// <summary>Where events.k8s.io/v1 Events live: with the core Events.</summary>
    public static readonly StoredAs Storage = new("", "events", Converter);
}
