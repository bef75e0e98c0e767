using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// Whether a pod may go to a node, checked in kube-scheduler's filter order; the first check that fails gives the
/// node's reasons (the resource check can give several), worded as kube-scheduler words them.
/// </summary>
internal static class NodeFilters
{
    public const string Unschedulable = "node(s) were unschedulable";
    public const string AffinityMismatch = "node(s) didn't match Pod's node affinity/selector";
    public const string PortsTaken = "node(s) didn't have free ports for the requested pod ports";
    public const string TooManyPods = "Too many pods";

    private static readonly JsonObject s_unschedulableTaint = new() { ["key"] = "node.kubernetes.io/unschedulable", ["effect"] = Tolerations.NoSchedule };

    /// <summary>Why the pod may not go to the node; empty when it may.</summary>
    public static IReadOnlyList<string> Check(JsonObject pod, PodDemand demand, NodeInfo info)
    {
        var node = info.Node!;
        if (node["spec"]?["unschedulable"]?.GetValue<bool>() == true
            && !Tolerations.Of(pod).Any(t => Tolerations.Tolerates(t, s_unschedulableTaint)))
        {
            return [Unschedulable];
        }
        if (Tolerations.FirstUntolerated(node, pod, Tolerations.NoSchedule, Tolerations.NoExecute) is { } taint)
        {
            return [$"node(s) had untolerated taint {{{taint["key"].AsText()}: {taint["value"].AsText()}}}"];
        }
        if (!NodeSelectors.RequiredMatch(pod, node))
        {
            return [AffinityMismatch];
        }
        if (demand.Ports.Any(wanted => info.UsedPorts.Any(used => used.ConflictsWith(wanted))))
        {
            return [PortsTaken];
        }
        return Insufficient(demand.Requests, info);
    }

    /// <summary>The resources the node lacks for the pod, in kube-scheduler's order: pods, CPU, memory, then the rest by name.</summary>
    private static List<string> Insufficient(ResourceList requests, NodeInfo info)
    {
        var reasons = new List<string>();
        if (info.PodCount + 1 > info.Allocatable[ResourceList.Pods])
        {
            reasons.Add(TooManyPods);
        }
        foreach (var (name, amount) in requests.Amounts.Where(r => r.Value > 0)
            .OrderBy(r => r.Key switch { ResourceList.Cpu => 0, ResourceList.Memory => 1, _ => 2 }).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            if (name != ResourceList.Pods && info.Allocatable[name] < amount + info.Requested[name])
            {
                reasons.Add($"Insufficient {name}");
            }
        }
        return reasons;
    }
}
