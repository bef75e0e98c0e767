using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// How well a feasible node suits a pod, from 0 to 100 per rule, weighted as kube-scheduler's default profile
/// weights its score plugins: room left (least allocated, 1), CPU and memory kept in balance (1), untolerated
/// PreferNoSchedule taints (3), preferred node affinity (2), topology spreading (2), inter-pod affinity (2) and
/// image locality (1).
/// </summary>
internal static class NodeScores
{
    /// <summary>The weighted total of each node's scores, in the order of <paramref name="nodes"/>.</summary>
    public static long[] Score(JsonObject pod, PodDemand demand, IReadOnlyList<NodeInfo> nodes) =>
        Score(CycleState.Prepare(pod, demand, new ClusterView(nodes)), nodes);

    public static long[] Score(CycleState state, IReadOnlyList<NodeInfo> nodes)
    {
        var totals = new long[nodes.Count];
        var preferNoSchedule = new long[nodes.Count];
        var affinity = new long[nodes.Count];
        var preferredAffinity = state.Pod["spec"]?["affinity"]?["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"] is not null;
        var (cpu, memory) = (state.Demand.NonZeroRequests[ResourceList.Cpu], state.Demand.NonZeroRequests[ResourceList.Memory]);
        for (var i = 0; i < nodes.Count; i++)
        {
            var info = nodes[i];
            totals[i] = ResourceScores(cpu, memory, info);
            if (info.Taints.Count > 0)
            {
                preferNoSchedule[i] = info.Taints.Count(taint =>
                    taint["effect"].AsText() == Tolerations.PreferNoSchedule && !state.Tolerations.Any(t => Tolerations.Tolerates(t, taint)));
            }
            if (preferredAffinity)
            {
                affinity[i] = NodeSelectors.PreferredWeight(state.Pod, info.Node!);
            }
        }
        Add(totals, Normalize(preferNoSchedule, reverse: true), weight: 3);
        Add(totals, Normalize(affinity, reverse: false), weight: 2);
        Add(totals, TopologySpreadScore.Score(state, nodes), weight: 2);
        Add(totals, InterPodAffinityScore.Score(state, nodes), weight: 2);
        Add(totals, ImageLocalityScore.Score(state, nodes), weight: 1);
        return totals;
    }

    /// <summary>
    /// Least allocated (the share of CPU and memory left, averaged) plus balanced allocation (how close the CPU and
    /// memory shares in use are), each 0–100, counting the pod's requests with the scheduler's non-zero defaults.
    /// </summary>
    private static long ResourceScores(long podCpu, long podMemory, NodeInfo info)
    {
        var (cpuAllocatable, memoryAllocatable) = (info.Allocatable[ResourceList.Cpu], info.Allocatable[ResourceList.Memory]);
        var cpuRequested = info.NonZeroRequested[ResourceList.Cpu] + podCpu;
        var memoryRequested = info.NonZeroRequested[ResourceList.Memory] + podMemory;
        static long Free(long allocatable, long requested) =>
            allocatable == 0 || requested > allocatable ? 0 : (allocatable - requested) * 100 / allocatable;
        static double Fraction(long allocatable, long requested) => allocatable == 0 ? 1 : Math.Min(1, (double)requested / allocatable);
        var leastAllocated = (Free(cpuAllocatable, cpuRequested) + Free(memoryAllocatable, memoryRequested)) / 2;
        var deviation = Math.Abs(Fraction(cpuAllocatable, cpuRequested) - Fraction(memoryAllocatable, memoryRequested)) / 2;
        return leastAllocated + (long)((1 - deviation) * 100);
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

    private static void Add(long[] totals, long[]? scores, int weight)
    {
        for (var i = 0; scores is not null && i < totals.Length; i++)
        {
            totals[i] += weight * scores[i];
        }
    }
}
