using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Metrics;

/// <summary>Reads the parts of a kubelet Summary (<c>/stats/summary</c>) that resource metrics use; malformed parts fail with <see cref="FormatException"/>.</summary>
internal static class SummaryReading
{
    public static (UsagePoint Node, IReadOnlyList<(string PodUid, IReadOnlyList<(string Name, DateTimeOffset? StartTime, UsagePoint Point)> Containers)> Pods) Read(JsonObject summary)
    {
        var node = summary["node"] as JsonObject ?? throw new FormatException("the summary has no node");
        var pods = (summary["pods"] as JsonArray ?? []).OfType<JsonObject>().Select(pod => (
            pod["podRef"]?["uid"].AsText() ?? throw new FormatException("a pod of the summary has no uid"),
            (IReadOnlyList<(string, DateTimeOffset?, UsagePoint)>)[.. (pod["containers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => (
                c["name"].AsText() ?? throw new FormatException("a container of the summary has no name"),
                Time(c["startTime"]),
                Point(c))),
            ])).ToList();
        return (Point(node), pods);
    }

    private static UsagePoint Point(JsonObject stats)
    {
        var cpu = stats["cpu"] ?? throw new FormatException("no cpu usage");
        var memory = stats["memory"] ?? throw new FormatException("no memory usage");
        return new UsagePoint(
            Time(cpu["time"]) ?? throw new FormatException("a cpu reading without its time"),
            Number(cpu["usageCoreNanoSeconds"]),
            Number(memory["workingSetBytes"]));
    }

    private static ulong Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<ulong>(out var number) ? number : throw new FormatException("a usage that is not a number");

    private static DateTimeOffset? Time(JsonNode? node) =>
        node.AsText() is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
