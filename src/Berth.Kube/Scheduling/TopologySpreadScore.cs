namespace Berth.Kube.Scheduling;

/// <summary>
/// kube-scheduler's PodTopologySpread score, for <c>ScheduleAnyway</c> constraints and the default ones: each
/// node scores the matching pods in its domain (for hostname, on the node itself) times a weight that grows with
/// the number of domains, plus <c>maxSkew - 1</c>; fewer is better, normalized so the emptiest scores 100. With
/// the pod's own constraints, nodes lacking a topology label score 0.
/// </summary>
internal static class TopologySpreadScore
{
    public static long[]? Score(CycleState state, IReadOnlyList<NodeInfo> nodes)
    {
        var constraints = state.Spread.Where(c => !c.Required).ToArray();
        if (constraints.Length == 0)
        {
            return null;
        }
        var requireAll = !constraints[0].IsDefault;
        var ignored = new bool[nodes.Count];
        var counts = constraints.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        for (var n = 0; n < nodes.Count; n++)
        {
            ignored[n] = requireAll && constraints.Any(c => nodes[n].Label(c.TopologyKey) is null);
            for (var i = 0; i < constraints.Length && !ignored[n]; i++)
            {
                if (constraints[i].TopologyKey != SpreadConstraint.HostnameKey)
                {
                    counts[i].TryAdd(nodes[n].Label(constraints[i].TopologyKey) ?? "", 0);
                }
            }
        }
        var considered = ignored.Count(i => !i);
        var weights = constraints.Select((c, i) => Math.Log((c.TopologyKey == SpreadConstraint.HostnameKey ? considered : counts[i].Count) + 2)).ToArray();
        foreach (var node in state.Cluster.Nodes)
        {
            if (requireAll && constraints.Any(c => node.Label(c.TopologyKey) is null))
            {
                continue;
            }
            for (var i = 0; i < constraints.Length; i++)
            {
                var domain = node.Label(constraints[i].TopologyKey) ?? "";
                if (constraints[i].TopologyKey != SpreadConstraint.HostnameKey && counts[i].ContainsKey(domain) && constraints[i].Includes(node, state))
                {
                    counts[i][domain] += node.Pods.Values.Count(constraints[i].Counts);
                }
            }
        }
        var raw = new long[nodes.Count];
        for (var n = 0; n < nodes.Count; n++)
        {
            double score = 0;
            for (var i = 0; i < constraints.Length; i++)
            {
                if (nodes[n].Label(constraints[i].TopologyKey) is not { } domain)
                {
                    continue;
                }
                var count = constraints[i].TopologyKey == SpreadConstraint.HostnameKey
                    ? nodes[n].Pods.Values.Count(constraints[i].Counts)
                    : counts[i][domain];
                score += (count * weights[i]) + constraints[i].MaxSkew - 1;
            }
            raw[n] = (long)Math.Round(score);
        }
        return Normalize(raw, ignored);
    }

    private static long[] Normalize(long[] raw, bool[] ignored)
    {
        var considered = raw.Where((_, n) => !ignored[n]).ToArray();
        var (min, max) = considered.Length == 0 ? (0, 0) : (considered.Min(), considered.Max());
        return [.. raw.Select((s, n) => ignored[n] ? 0 : max == 0 ? 100 : 100 * (max + min - s) / max)];
    }
}
