using System.Text.Json.Nodes;

namespace Berth.Kube.Scheduling;

/// <summary>
/// One scheduling decision: filter nodes, score the feasible ones, take the best (a random one among equals). As
/// kube-scheduler does, a large cluster is searched only until enough feasible nodes are found — half of them
/// at 100 nodes, falling to 5% (but never fewer than 100) as the cluster grows — starting where the last search
/// stopped, so every node gets its turn.
/// </summary>
internal sealed class NodePicker(Random random)
{
    private int _nextStart;

    /// <summary>The chosen node, or the message saying why none fits. For tests and single decisions.</summary>
    public (NodeInfo? Node, string? Failure) Pick(JsonObject pod, PodDemand demand, IReadOnlyList<NodeInfo> known)
    {
        var placement = Pick(CycleState.Prepare(pod, demand, new ClusterView([.. known.Where(n => n.Node is not null)])));
        return (placement.Node, placement.Failure);
    }

    public Placement Pick(CycleState state)
    {
        var nodes = state.Cluster.Nodes;
        if (nodes.Count == 0)
        {
            return new Placement(null, FitError.NoNodes, new Dictionary<string, NodeVerdict>());
        }
        var wanted = FeasibleNodesToFind(nodes.Count);
        var feasible = new List<NodeInfo>();
        var verdicts = new Dictionary<string, NodeVerdict>(StringComparer.Ordinal);
        var examined = 0;
        for (; examined < nodes.Count && feasible.Count < wanted; examined++)
        {
            var info = nodes[(_nextStart + examined) % nodes.Count];
            var verdict = NodeFilters.Check(state, state.Cluster.ForFiltering(info, state.Demand));
            if (verdict.Passes)
            {
                feasible.Add(info);
            }
            else
            {
                verdicts[info.Name] = verdict;
            }
        }
        _nextStart = (_nextStart + examined) % nodes.Count;
        if (feasible.Count == 0)
        {
            return new Placement(null, FitError.Message(nodes.Count, verdicts.Values.SelectMany(v => v.Reasons)), verdicts);
        }
        return new Placement(feasible.Count == 1 ? feasible[0] : Best(state, feasible), null, verdicts);
    }

    private NodeInfo Best(CycleState state, List<NodeInfo> feasible)
    {
        var scores = NodeScores.Score(state, feasible);
        var best = 0;
        var ties = 1;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
                ties = 1;
            }
            else if (scores[i] == scores[best] && random.Next(++ties) == 0)
            {
                best = i; // each of the equal best is kept with the same chance
            }
        }
        return feasible[best];
    }

    private static int FeasibleNodesToFind(int nodes)
    {
        const int MinFeasible = 100;
        if (nodes < MinFeasible)
        {
            return nodes;
        }
        var percentage = Math.Max(5, 50 - (nodes / 125));
        return Math.Max(MinFeasible, nodes * percentage / 100);
    }
}

/// <summary>A decision: the node chosen, or why none fits with each examined node's verdict (for preemption).</summary>
internal sealed record Placement(NodeInfo? Node, string? Failure, IReadOnlyDictionary<string, NodeVerdict> Verdicts)
{
    /// <summary>
    /// The pod refused before any node is looked at (a PreFilter's verdict): kube-scheduler's message names the reason
    /// once rather than per node, and no node has a verdict preemption could change.
    /// </summary>
    public static Placement Rejected(int nodes, string reason) =>
        new(null, nodes == 0 ? FitError.NoNodes : $"0/{nodes} nodes are available: {reason}.", new Dictionary<string, NodeVerdict>());
}
