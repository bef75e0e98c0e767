namespace Berth.Kube.Scheduling;

/// <summary>
/// kube-scheduler's PodTopologySpread filter: for each <c>DoNotSchedule</c> constraint, the matching pods counted
/// per domain once per attempt over the nodes whose domains count; a node fits when placing the pod in its domain
/// keeps the skew (its domain's count plus the pod, less the emptiest domain's) within <c>maxSkew</c>. While fewer
/// domains than <c>minDomains</c> exist, the emptiest is taken as zero.
/// </summary>
internal sealed class TopologySpreadFilter
{
    public const string NotMatch = "node(s) didn't match pod topology spread constraints";
    public const string MissingLabel = "node(s) didn't match pod topology spread constraints (missing required label)";

    private readonly CycleState _state;
    private readonly SpreadConstraint[] _constraints;
    private readonly Dictionary<string, int>[] _counts;
    private readonly int[] _selfMatch;
    private readonly int[] _minimum;

    public TopologySpreadFilter(CycleState state)
    {
        _state = state;
        _constraints = [.. state.Spread.Where(c => c.Required)];
        _counts = [.. _constraints.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal))];
        _selfMatch = [.. _constraints.Select(c => c.Counts(state.Demand with { Terminating = false }) ? 1 : 0)];
        _minimum = new int[_constraints.Length];
        if (_constraints.Length == 0)
        {
            return;
        }
        foreach (var node in state.Cluster.Nodes)
        {
            if (!Counted(node))
            {
                continue;
            }
            for (var i = 0; i < _constraints.Length; i++)
            {
                var domain = node.Label(_constraints[i].TopologyKey)!;
                _counts[i][domain] = _counts[i].GetValueOrDefault(domain) + node.Pods.Values.Count(_constraints[i].Counts);
            }
        }
        UpdateMinimums();
    }

    /// <summary>Why the pod may not go to the node, or null; and whether removing pods could change that.</summary>
    public (string? Reason, bool Unresolvable) Check(NodeInfo node)
    {
        if (_constraints.Length == 0)
        {
            return (null, false);
        }
        if (!HasAllKeys(node))
        {
            return (MissingLabel, true);
        }
        for (var i = 0; i < _constraints.Length; i++)
        {
            var constraint = _constraints[i];
            var count = _counts[i].GetValueOrDefault(node.Label(constraint.TopologyKey)!);
            var minimum = _counts[i].Count < constraint.MinDomains ? 0 : _minimum[i];
            if (count + _selfMatch[i] - minimum > constraint.MaxSkew)
            {
                return (NotMatch, false);
            }
        }
        return (null, false);
    }

    public void Update(PodDemand pod, NodeInfo node, int sign)
    {
        if (_constraints.Length == 0 || !Counted(node))
        {
            return;
        }
        for (var i = 0; i < _constraints.Length; i++)
        {
            if (_constraints[i].Counts(pod))
            {
                var domain = node.Label(_constraints[i].TopologyKey)!;
                _counts[i][domain] = _counts[i].GetValueOrDefault(domain) + sign;
            }
        }
        UpdateMinimums();
    }

    private bool Counted(NodeInfo node) => HasAllKeys(node) && _constraints.All(c => c.Includes(node, _state));

    private bool HasAllKeys(NodeInfo node) => _constraints.All(c => node.Label(c.TopologyKey) is not null);

    private void UpdateMinimums()
    {
        for (var i = 0; i < _constraints.Length; i++)
        {
            _minimum[i] = _counts[i].Count == 0 ? 0 : _counts[i].Values.Min();
        }
    }
}
