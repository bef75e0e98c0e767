using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// Whether a pod may go to a node, checked in kube-scheduler's filter order: cordon, taints, node selection, host
/// ports, resources, topology spread, inter-pod affinity. The first check that fails gives the node's reasons
/// (the resource check can give several), worded as kube-scheduler words them, and says whether evicting pods
/// could help (preemption skips nodes where it could not).
/// </summary>
internal static class NodeFilters
{
    public const string Unschedulable = "node(s) were unschedulable";
    public const string AffinityMismatch = "node(s) didn't match Pod's node affinity/selector";
    public const string PortsTaken = "node(s) didn't have free ports for the requested pod ports";
    public const string TooManyPods = "Too many pods";

    private static readonly JsonObject s_unschedulableTaint = new() { ["key"] = "node.kubernetes.io/unschedulable", ["effect"] = Tolerations.NoSchedule };

    /// <summary>Why the pod may not go to the node; empty when it may. For tests and single checks.</summary>
    public static IReadOnlyList<string> Check(JsonObject pod, PodDemand demand, NodeInfo info) =>
        Check(CycleState.Prepare(pod, demand, new ClusterView([info])), info).Reasons;

    public static NodeVerdict Check(CycleState state, NodeInfo info)
    {
        if (info.Unschedulable && !state.Tolerations.Any(t => Tolerations.Tolerates(t, s_unschedulableTaint)))
        {
            return NodeVerdict.Unresolvable(Unschedulable);
        }
        if (info.Taints.Count > 0 && state.FirstUntolerated(info, Tolerations.NoSchedule, Tolerations.NoExecute) is { } taint)
        {
            return NodeVerdict.Unresolvable($"node(s) had untolerated taint {{{taint["key"].AsText()}: {taint["value"].AsText()}}}");
        }
        if (!state.MatchesNodeSelection(info))
        {
            return NodeVerdict.Unresolvable(AffinityMismatch);
        }
        if (state.Demand.Ports.Count > 0 && state.Demand.Ports.Any(wanted => info.UsedPorts.Any(used => used.ConflictsWith(wanted))))
        {
            return NodeVerdict.Resolvable([PortsTaken]);
        }
        if (Insufficient(state, info) is { Count: > 0 } lacking)
        {
            return NodeVerdict.Resolvable(lacking);
        }
        if (state.SpreadFilter.Check(info) is { Reason: { } spread } spreadResult)
        {
            return spreadResult.Unresolvable ? NodeVerdict.Unresolvable(spread) : NodeVerdict.Resolvable([spread]);
        }
        if (state.Affinity.Check(info) is { Reason: { } affinity } affinityResult)
        {
            return affinityResult.Unresolvable ? NodeVerdict.Unresolvable(affinity) : NodeVerdict.Resolvable([affinity]);
        }
        return NodeVerdict.Fits;
    }

    /// <summary>The resources the node lacks for the pod, in kube-scheduler's order: pods, CPU, memory, then the rest by name.</summary>
    private static List<string>? Insufficient(CycleState state, NodeInfo info)
    {
        List<string>? reasons = null;
        if (info.PodCount + 1 > info.Allocatable[ResourceList.Pods])
        {
            (reasons ??= []).Add(TooManyPods);
        }
        foreach (var (name, amount) in state.Requests)
        {
            if (info.Allocatable[name] < amount + info.Requested[name])
            {
                (reasons ??= []).Add($"Insufficient {name}");
            }
        }
        return reasons;
    }
}

/// <summary>A node's filter result: why the pod may not go there, and whether evicting pods could change that.</summary>
internal readonly record struct NodeVerdict(IReadOnlyList<string> Reasons, bool IsUnresolvable)
{
    public static NodeVerdict Fits { get; } = new([], false);

    public bool Passes => Reasons.Count == 0;

    public static NodeVerdict Unresolvable(string reason) => new([reason], true);

    public static NodeVerdict Resolvable(IReadOnlyList<string> reasons) => new(reasons, false);
}
