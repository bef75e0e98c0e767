using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// What the scheduler needs of a pod, computed once from it: what it takes from its node, and what other pods'
/// rules read of it (namespace, labels, priority, its own inter-pod affinity terms).
/// </summary>
internal sealed record PodDemand(ResourceList Requests, ResourceList NonZeroRequests, IReadOnlyList<HostPort> Ports, string? OwnerUid)
{
    public string Namespace { get; init; } = "";

    public string Name { get; init; } = "";

    public string Uid { get; init; } = "";

    public JsonObject? Labels { get; init; }

    public int Priority { get; init; }

    /// <summary>When the pod started on its node (or was created): among equal priorities the older pod matters more.</summary>
    public DateTimeOffset StartTime { get; init; }

    public bool Terminating { get; init; }

    public PodAffinity Affinity { get; init; } = PodAffinity.None;

    public static PodDemand Of(JsonObject pod)
    {
        var metadata = pod["metadata"];
        var ns = metadata?["namespace"].AsText() ?? "";
        var labels = metadata?["labels"] as JsonObject;
        return new(
            ResourceList.RequestsOf(pod),
            ResourceList.RequestsOf(pod, nonZero: true),
            HostPort.Of(pod),
            (metadata?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
                .FirstOrDefault(r => r["controller"]?.GetValue<bool>() == true)?["uid"].AsText())
        {
            Namespace = ns,
            Name = metadata?["name"].AsText() ?? "",
            Uid = metadata?["uid"].AsText() ?? "",
            Labels = labels,
            Priority = (int)(pod["spec"]?["priority"].AsLong() ?? 0),
            StartTime = KubeTime.Parse(pod["status"]?["startTime"]) ?? KubeTime.Parse(metadata?["creationTimestamp"]) ?? DateTimeOffset.MinValue,
            Terminating = metadata?["deletionTimestamp"] is not null,
            Affinity = PodAffinity.Of(pod["spec"]?["affinity"], ns, labels),
        };
    }

    /// <summary>The pod's label <paramref name="key"/>, or null.</summary>
    public string? Label(string key) => Labels?[key].AsText();
}

/// <summary>A host port a pod's container binds: two pods may not bind the same one on a node.</summary>
internal readonly record struct HostPort(string Ip, string Protocol, long Port)
{
    public static IReadOnlyList<HostPort> Of(JsonObject pod) =>
        [.. (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .SelectMany(c => (c["ports"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(p => p["hostPort"].AsLong() is > 0)
            .Select(p => new HostPort(p["hostIP"].AsText() is { Length: > 0 } ip ? ip : "0.0.0.0", p["protocol"].AsText() ?? "TCP", p["hostPort"].AsLong()!.Value))];

    /// <summary>Ports conflict on the same protocol and number when either binds every address or both bind the same one.</summary>
    public bool ConflictsWith(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol && (Ip == "0.0.0.0" || other.Ip == "0.0.0.0" || Ip == other.Ip);
}
