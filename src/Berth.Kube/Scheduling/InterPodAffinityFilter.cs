namespace Berth.Kube.Scheduling;

/// <summary>
/// kube-scheduler's InterPodAffinity filter. Once per attempt it counts, per topology domain (a node label's key
/// and value): the existing pods whose required anti-affinity selects the incoming pod; and, when the incoming
/// pod has required terms, the existing pods its affinity terms (all of them) and each anti-affinity term
/// select. A node then fits when every affinity term's domain holds such a pod (or, for the first pod of a
/// group, none exists anywhere and the pod matches its own terms), no anti-affinity term's domain does, and no
/// existing pod's anti-affinity covers the node's domains.
/// </summary>
internal sealed class InterPodAffinityFilter
{
    public const string AffinityNotMatch = "node(s) didn't match pod affinity rules";
    public const string AntiAffinityNotMatch = "node(s) didn't match pod anti-affinity rules";
    public const string ExistingAntiAffinityNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

    private readonly CycleState _state;
    private readonly Dictionary<(string Key, string Value), int> _existingAnti = [];
    private readonly Dictionary<(string Key, string Value), int> _affinity = [];
    private readonly Dictionary<(string Key, string Value), int> _anti = [];
    private readonly bool _matchesOwnAffinity;

    public InterPodAffinityFilter(CycleState state)
    {
        _state = state;
        var incoming = state.Demand.Affinity;
        var hasOwn = incoming.Required.Count > 0 || incoming.RequiredAnti.Count > 0;
        _matchesOwnAffinity = incoming.Required.Count > 0 && incoming.Required.All(t => t.Matches(state.Demand, state.Cluster.NamespaceLabels));
        foreach (var node in hasOwn ? state.Cluster.Nodes : state.Cluster.NodesWithAffinityPods)
        {
            foreach (var pod in node.Pods.Values)
            {
                Count(pod, node, 1, own: hasOwn);
            }
        }
    }

    /// <summary>Why the pod may not go to the node, or null; and whether removing pods could change that.</summary>
    public (string? Reason, bool Unresolvable) Check(NodeInfo node)
    {
        var incoming = _state.Demand.Affinity;
        if (incoming.Required.Count > 0 && !SatisfiesAffinity(node, incoming.Required))
        {
            return (AffinityNotMatch, true);
        }
        if (_anti.Count > 0)
        {
            foreach (var term in incoming.RequiredAnti)
            {
                if (node.Label(term.TopologyKey) is { } value && _anti.GetValueOrDefault((term.TopologyKey, value)) > 0)
                {
                    return (AntiAffinityNotMatch, false);
                }
            }
        }
        if (_existingAnti.Count > 0 && node.Labels is { } labels)
        {
            foreach (var (key, value) in labels)
            {
                if (value?.GetValueKind() == System.Text.Json.JsonValueKind.String && _existingAnti.GetValueOrDefault((key, value.GetValue<string>())) > 0)
                {
                    return (ExistingAntiAffinityNotMatch, false);
                }
            }
        }
        return (null, false);
    }

    public void Update(PodDemand pod, NodeInfo node, int sign)
    {
        var incoming = _state.Demand.Affinity;
        Count(pod, node, sign, own: incoming.Required.Count > 0 || incoming.RequiredAnti.Count > 0);
    }

    private bool SatisfiesAffinity(NodeInfo node, IReadOnlyList<AffinityTerm> terms)
    {
        var podsExist = true;
        foreach (var term in terms)
        {
            if (node.Label(term.TopologyKey) is not { } value)
            {
                return false;
            }
            if (_affinity.GetValueOrDefault((term.TopologyKey, value)) <= 0)
            {
                podsExist = false;
            }
        }
        // the first pod of a group that selects itself may go anywhere its terms' topologies exist
        return podsExist || (_affinity.Count == 0 && _matchesOwnAffinity);
    }

    private void Count(PodDemand pod, NodeInfo node, int sign, bool own)
    {
        var labels = _state.Cluster.NamespaceLabels;
        foreach (var term in pod.Affinity.RequiredAnti)
        {
            if (node.Label(term.TopologyKey) is { } value && term.Matches(_state.Demand, labels))
            {
                Add(_existingAnti, (term.TopologyKey, value), sign);
            }
        }
        if (!own)
        {
            return;
        }
        var incoming = _state.Demand.Affinity;
        if (incoming.Required.Count > 0 && incoming.Required.All(t => t.Matches(pod, labels)))
        {
            foreach (var term in incoming.Required)
            {
                if (node.Label(term.TopologyKey) is { } value)
                {
                    Add(_affinity, (term.TopologyKey, value), sign);
                }
            }
        }
        foreach (var term in incoming.RequiredAnti)
        {
            if (node.Label(term.TopologyKey) is { } value && term.Matches(pod, labels))
            {
                Add(_anti, (term.TopologyKey, value), sign);
            }
        }
    }

    private static void Add(Dictionary<(string Key, string Value), int> counts, (string, string) domain, int sign)
    {
        var count = counts.GetValueOrDefault(domain) + sign;
        if (count == 0)
        {
            counts.Remove(domain);
        }
        else
        {
            counts[domain] = count;
        }
    }
}
