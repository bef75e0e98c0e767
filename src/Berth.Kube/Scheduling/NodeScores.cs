using System.Text.Json.Nodes;

namespace Berth.Kube.Scheduling;

/// <summary>
/// How well a feasible node suits a pod, from 0 to 100 per rule, weighted as kube-scheduler's default profile
/// weights its score plugins: room left (least allocated, 1), CPU and memory kept in balance (1), untolerated
/// PreferNoSchedule taints (3), preferred node affinity (2), and spreading a controller's pods over nodes and
/// zones (2).
/// </summary>
internal static class NodeScores
{
    private const string ZoneLabel = "topology.kubernetes.io/zone";

    /// <summary>The weighted total of each node's scores, in the order of <paramref name="nodes"/>.</summary>
    public static long[] Score(JsonObject pod, PodDemand demand, IReadOnlyList<NodeInfo> nodes)
    {
        var totals = new long[nodes.Count];
        var preferNoSchedule = new long[nodes.Count];
        var affinity = new long[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            var info = nodes[i];
            totals[i] = LeastAllocated(demand, info) + Balanced(demand, info);
            preferNoSchedule[i] = Tolerations.TaintsOf(info.Node!).Count(taint =>
                taint["effect"]?.GetValue<string>() == Tolerations.PreferNoSchedule && !Tolerations.Of(pod).Any(t => Tolerations.Tolerates(t, taint)));
            affinity[i] = NodeSelectors.PreferredWeight(pod, info.Node!);
        }
        Add(totals, Normalize(preferNoSchedule, reverse: true), weight: 3);
        Add(totals, Normalize(affinity, reverse: false), weight: 2);
        if (demand.OwnerUid is { } owner)
        {
            Add(totals, Spread(owner, nodes), weight: 2);
        }
        return totals;
    }

    private static long LeastAllocated(PodDemand demand, NodeInfo info) =>
        (Free(ResourceList.Cpu, demand, info) + Free(ResourceList.Memory, demand, info)) / 2;

    private static long Free(string resource, PodDemand demand, NodeInfo info)
    {
        var allocatable = info.Allocatable[resource];
        var requested = info.NonZeroRequested[resource] + demand.NonZeroRequests[resource];
        return allocatable == 0 || requested > allocatable ? 0 : (allocatable - requested) * 100 / allocatable;
    }

    private static long Balanced(PodDemand demand, NodeInfo info)
    {
        double Fraction(string resource)
        {
            var allocatable = info.Allocatable[resource];
            return allocatable == 0 ? 1 : Math.Min(1, (double)(info.NonZeroRequested[resource] + demand.NonZeroRequests[resource]) / allocatable);
        }
        var deviation = Math.Abs(Fraction(ResourceList.Cpu) - Fraction(ResourceList.Memory)) / 2;
        return (long)((1 - deviation) * 100);
    }

    /// <summary>
    /// Fewer of the controller's pods on the node, and in its zone, score higher; zones weigh two thirds when the
    /// nodes have them, as the selector-spreading rule weighs them.
    /// </summary>
    private static long[] Spread(string owner, IReadOnlyList<NodeInfo> nodes)
    {
        var onNode = nodes.Select(n => (long)n.PodsOf(owner)).ToArray();
        var nodeScores = Normalize(onNode, reverse: true);
        var zones = nodes.Select(n => n.Label(ZoneLabel)).ToArray();
        if (zones.All(z => z is null))
        {
            return nodeScores;
        }
        var inZone = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (zones[i] is { } zone)
            {
                inZone[zone] = inZone.GetValueOrDefault(zone) + onNode[i];
            }
        }
        var zoneScores = Normalize([.. zones.Select(z => z is null ? 0 : inZone[z])], reverse: true);
        return [.. nodeScores.Select((s, i) => zones[i] is null ? s : (s + (2 * zoneScores[i])) / 3)];
    }

    /// <summary>Scales raw values to 0–100 by the largest; reversed, the smallest raw value scores highest.</summary>
    private static long[] Normalize(long[] raw, bool reverse)
    {
        var max = raw.Length == 0 ? 0 : raw.Max();
        if (max == 0)
        {
            return [.. raw.Select(_ => reverse ? 100L : 0L)];
        }
        return [.. raw.Select(v => reverse ? (max - v) * 100 / max : v * 100 / max)];
    }

    private static void Add(long[] totals, long[] scores, int weight)
    {
        for (var i = 0; i < totals.Length; i++)
        {
            totals[i] += weight * scores[i];
        }
    }
}
