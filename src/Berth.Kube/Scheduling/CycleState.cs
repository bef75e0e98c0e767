using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// What one scheduling attempt computes once, before any node is filtered (kube-scheduler's PreFilter and PreScore
/// state): the pod's tolerations and requests in checking order, and the counts its inter-pod affinity and topology
/// spread rules are checked against, so that each node's check is a few lookups. A pod without such rules pays
/// only for the existing pods' anti-affinity, counted over the nodes that hold pods with affinity terms.
/// </summary>
internal sealed class CycleState
{
    private CycleState(JsonObject pod, PodDemand demand, ClusterView cluster)
    {
        Pod = pod;
        Demand = demand;
        Cluster = cluster;
        Tolerations = [.. Scheduling.Tolerations.Of(pod)];
        Requests = [.. demand.Requests.Amounts.Where(r => r.Value > 0 && r.Key != ResourceList.Pods)
            .OrderBy(r => r.Key switch { ResourceList.Cpu => 0, ResourceList.Memory => 1, _ => 2 }).ThenBy(r => r.Key, StringComparer.Ordinal)];
        var spec = pod["spec"];
        SelectsNodes = spec?["nodeSelector"] is JsonObject { Count: > 0 } || spec?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"] is not null;
        Spread = SpreadConstraint.Of(pod, demand);
        Affinity = new InterPodAffinityFilter(this);
        SpreadFilter = new TopologySpreadFilter(this);
    }

    public JsonObject Pod { get; }

    public PodDemand Demand { get; }

    public ClusterView Cluster { get; }

    public IReadOnlyList<JsonObject> Tolerations { get; }

    /// <summary>The resources the pod requests, in the order kube-scheduler names what a node lacks: CPU, memory, the rest by name.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Requests { get; }

    /// <summary>Whether the pod has a node selector or required node affinity at all.</summary>
    public bool SelectsNodes { get; }

    /// <summary>The pod's topology spread constraints, or the cluster's default ones for a controller's pods.</summary>
    public IReadOnlyList<SpreadConstraint> Spread { get; }

    public InterPodAffinityFilter Affinity { get; }

    public TopologySpreadFilter SpreadFilter { get; }

    public static CycleState Prepare(JsonObject pod, PodDemand demand, ClusterView cluster) => new(pod, demand, cluster);

    /// <summary>Whether the pod tolerates every NoSchedule and NoExecute taint of the node.</summary>
    public bool ToleratesTaints(NodeInfo node) => FirstUntolerated(node, Scheduling.Tolerations.NoSchedule, Scheduling.Tolerations.NoExecute) is null;

    public JsonObject? FirstUntolerated(NodeInfo node, string effect, string? otherEffect = null)
    {
        foreach (var taint in node.Taints)
        {
            var taintEffect = taint["effect"].AsText();
            if ((taintEffect == effect || taintEffect == otherEffect) && !Tolerated(taint))
            {
                return taint;
            }
        }
        return null;
    }

    public bool MatchesNodeSelection(NodeInfo node) => !SelectsNodes || NodeSelectors.RequiredMatch(Pod, node.Node!);

    /// <summary>Counts a pod on a node in the rules' counts, as if placed there; preemption uses it to undo <see cref="RemovePod"/>.</summary>
    public void AddPod(PodDemand pod, NodeInfo node)
    {
        Affinity.Update(pod, node, 1);
        SpreadFilter.Update(pod, node, 1);
    }

    /// <summary>Takes a pod off a node in the rules' counts, as preemption's dry run does with victims.</summary>
    public void RemovePod(PodDemand pod, NodeInfo node)
    {
        Affinity.Update(pod, node, -1);
        SpreadFilter.Update(pod, node, -1);
    }

    private bool Tolerated(JsonObject taint)
    {
        foreach (var toleration in Tolerations)
        {
            if (Scheduling.Tolerations.Tolerates(toleration, taint))
            {
                return true;
            }
        }
        return false;
    }
}
