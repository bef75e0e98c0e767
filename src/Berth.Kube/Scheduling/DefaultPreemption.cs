using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// kube-scheduler's DefaultPreemption, for a pod that fits nowhere: on each node where evicting pods could help
/// (none of its filters failed for good), every lower-priority pod is taken away in a dry run; if the pod then
/// fits, as many as possible are given back, most important first and those whose eviction would break a
/// PodDisruptionBudget before the rest, and the pods that could not be given back are the node's victims. The
/// chosen node has the fewest budget violations, then the lowest highest victim priority, the lowest sum of
/// priorities, the fewest victims, and the latest-started most important victims.
/// </summary>
internal static class DefaultPreemption
{
    public const string NeverPolicy = "not eligible due to preemptionPolicy=Never.";
    public const string TerminatingOnNominated = "not eligible due to a terminating pod on the nominated node.";
    public const string NoVictims = "No preemption victims found for incoming pod";
    public const string NotHelpful = "Preemption is not helpful for scheduling";

    /// <summary>The node to preempt on and its victims, or why there is none (preemption's message, without its prefix).</summary>
    public static (PreemptionCandidate? Chosen, string? Failure) Find(CycleState state, Placement placement, IReadOnlyList<DisruptionBudget> budgets)
    {
        if (state.Pod["spec"]?["preemptionPolicy"].AsText() == "Never")
        {
            return (null, NeverPolicy);
        }
        var nodes = state.Cluster.Nodes;
        if (state.Pod["status"]?["nominatedNodeName"].AsText() is { Length: > 0 } nominated
            && !(placement.Verdicts.TryGetValue(nominated, out var verdict) && verdict.IsUnresolvable)
            && nodes.FirstOrDefault(n => n.Name == nominated) is { } nominatedNode
            && nominatedNode.Pods.Values.Any(p => p.Terminating && p.Priority < state.Demand.Priority))
        {
            return (null, TerminatingOnNominated); // its victims are still going: wait for them
        }
        var potential = nodes.Where(n => placement.Verdicts.TryGetValue(n.Name, out var v) && !v.IsUnresolvable).ToList();
        var wanted = Math.Min(potential.Count, Math.Max(potential.Count / 10, 100));
        var candidates = new List<PreemptionCandidate>();
        var reasons = new List<string>();
        foreach (var node in potential)
        {
            if (candidates.Count >= wanted)
            {
                break;
            }
            var (candidate, why) = SelectVictims(state, node, budgets);
            if (candidate is not null)
            {
                candidates.Add(candidate);
            }
            else
            {
                reasons.AddRange(why);
            }
        }
        if (candidates.Count == 0)
        {
            reasons.AddRange(Enumerable.Repeat(NotHelpful, nodes.Count - potential.Count));
            return (null, FitError.Message(nodes.Count, reasons));
        }
        return (Best(candidates), null);
    }

    private static (PreemptionCandidate? Candidate, IReadOnlyList<string> Reasons) SelectVictims(CycleState state, NodeInfo node, IReadOnlyList<DisruptionBudget> budgets)
    {
        var trial = node.Clone();
        var lower = node.Pods.Where(p => p.Value.Priority < state.Demand.Priority)
            .Select(p => new CachedPod(p.Key, p.Value))
            .OrderByDescending(v => v.Pod.Priority).ThenBy(v => v.Pod.StartTime).ToList();
        if (lower.Count == 0)
        {
            return (null, [NoVictims]);
        }
        foreach (var victim in lower)
        {
            trial.RemovePod(victim.Key);
            state.RemovePod(victim.Pod, trial);
        }
        var victims = new List<CachedPod>();
        try
        {
            if (NodeFilters.Check(state, trial) is { Passes: false } without)
            {
                return (null, without.Reasons);
            }
            var (violating, other) = SplitByBudget(lower, budgets);
            var violations = 0;
            foreach (var (victim, breaksBudget) in violating.Select(v => (v, true)).Concat(other.Select(v => (v, false))))
            {
                trial.AddPod(victim.Key, victim.Pod);
                state.AddPod(victim.Pod, trial);
                if (!NodeFilters.Check(state, trial).Passes)
                {
                    trial.RemovePod(victim.Key);
                    state.RemovePod(victim.Pod, trial);
                    victims.Add(victim);
                    violations += breaksBudget ? 1 : 0;
                }
            }
            return victims.Count == 0 ? (null, [NoVictims]) : (new PreemptionCandidate(node, victims, violations), []);
        }
        finally
        {
            foreach (var victim in lower.Where(v => !trial.Pods.ContainsKey(v.Key)))
            {
                state.AddPod(victim.Pod, trial); // the counts are the cycle's: put back what the dry run took
            }
        }
    }

    /// <summary>Splits pods into those whose eviction a budget does not allow (counting down each budget's allowance) and the rest.</summary>
    private static (List<CachedPod> Violating, List<CachedPod> Other) SplitByBudget(List<CachedPod> pods, IReadOnlyList<DisruptionBudget> budgets)
    {
        var allowed = budgets.Select(b => b.Allowed).ToArray();
        var (violating, other) = (new List<CachedPod>(), new List<CachedPod>());
        foreach (var victim in pods)
        {
            var violated = false;
            for (var i = 0; i < budgets.Count && victim.Pod.Labels is { Count: > 0 }; i++)
            {
                if (budgets[i].Covers(victim.Pod) && !budgets[i].DisruptedPods.Contains(victim.Pod.Name) && --allowed[i] < 0)
                {
                    violated = true;
                }
            }
            (violated ? violating : other).Add(victim);
        }
        return (violating, other);
    }

    private static PreemptionCandidate Best(List<PreemptionCandidate> candidates)
    {
        IEnumerable<PreemptionCandidate> best = candidates;
        best = Fewest(best, c => c.BudgetViolations);
        best = Fewest(best, c => c.Victims[0].Pod.Priority);
        best = Fewest(best, c => c.Victims.Sum(v => v.Pod.Priority + (long)int.MaxValue + 1));
        best = Fewest(best, c => c.Victims.Count);
        best = Fewest(best, c => -EarliestStart(c).UtcTicks);
        return best.First();
    }

    private static List<PreemptionCandidate> Fewest(IEnumerable<PreemptionCandidate> candidates, Func<PreemptionCandidate, long> score)
    {
        var list = candidates.ToList();
        var min = list.Min(score);
        return [.. list.Where(c => score(c) == min)];
    }

    /// <summary>When the earliest of the candidate's highest-priority victims started.</summary>
    private static DateTimeOffset EarliestStart(PreemptionCandidate candidate)
    {
        var highest = candidate.Victims[0].Pod.Priority;
        return candidate.Victims.Where(v => v.Pod.Priority == highest).Min(v => v.Pod.StartTime);
    }
}

/// <summary>A node where the pod fits once its victims are gone, and how many of them a budget protects.</summary>
internal sealed record PreemptionCandidate(NodeInfo Node, IReadOnlyList<CachedPod> Victims, int BudgetViolations);
