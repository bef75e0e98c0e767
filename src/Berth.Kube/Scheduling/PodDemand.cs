using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>What a pod takes from the node it runs on, computed once from its spec.</summary>
internal sealed record PodDemand(ResourceList Requests, ResourceList NonZeroRequests, IReadOnlyList<HostPort> Ports, string? OwnerUid)
{
    public static PodDemand Of(JsonObject pod) => new(
        ResourceList.RequestsOf(pod),
        ResourceList.RequestsOf(pod, nonZero: true),
        HostPort.Of(pod),
        (pod["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(r => r["controller"]?.GetValue<bool>() == true)?["uid"].AsText());
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
