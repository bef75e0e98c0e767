namespace Berth.Kube.Scheduling;

/// <summary>
/// kube-scheduler's InterPodAffinity score: per topology domain, the weights of the incoming pod's preferred terms
/// that select pods there (anti-affinity subtracting), plus the existing pods' terms that select the incoming pod
/// (their required affinity counting 1 each); a node scores its domains' sums, normalized between the lowest (0)
/// and highest (100). Only nodes with pods that have affinity terms are read unless the pod has preferences.
/// </summary>
internal static class InterPodAffinityScore
{
    private const int HardPodAffinityWeight = 1;

    public static long[]? Score(CycleState state, IReadOnlyList<NodeInfo> nodes)
    {
        var incoming = state.Demand.Affinity;
        var hasPreferences = incoming.Preferred.Count > 0 || incoming.PreferredAnti.Count > 0;
        var domains = new Dictionary<(string Key, string Value), long>();
        var labels = state.Cluster.NamespaceLabels;
        void Add(IReadOnlyList<AffinityTerm> terms, PodDemand selected, NodeInfo node, int sign)
        {
            foreach (var term in terms)
            {
                if (node.Label(term.TopologyKey) is { } value && term.Matches(selected, labels))
                {
                    domains[(term.TopologyKey, value)] = domains.GetValueOrDefault((term.TopologyKey, value)) + (sign * term.Weight);
                }
            }
        }
        foreach (var node in hasPreferences ? state.Cluster.Nodes : state.Cluster.NodesWithAffinityPods)
        {
            if (node.Labels is not { Count: > 0 })
            {
                continue;
            }
            foreach (var pod in node.Pods.Values)
            {
                Add(incoming.Preferred, pod, node, 1);
                Add(incoming.PreferredAnti, pod, node, -1);
                Add(pod.Affinity.Required, state.Demand, node, HardPodAffinityWeight);
                Add(pod.Affinity.Preferred, state.Demand, node, 1);
                Add(pod.Affinity.PreferredAnti, state.Demand, node, -1);
            }
        }
        if (domains.Count == 0)
        {
            return null;
        }
        var raw = nodes.Select(n => domains.Where(d => n.Label(d.Key.Key) == d.Key.Value).Sum(d => d.Value)).ToArray();
        var (min, max) = (raw.Min(), raw.Max());
        return [.. raw.Select(s => max > min ? (long)(100.0 * (s - min) / (max - min)) : 0)];
    }
}
