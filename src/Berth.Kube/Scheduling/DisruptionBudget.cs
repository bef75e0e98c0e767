using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>What preemption reads of a PodDisruptionBudget: whom it covers and how many disruptions it still allows.</summary>
internal sealed record DisruptionBudget(string Namespace, LabelSelector Selector, int Allowed, IReadOnlySet<string> DisruptedPods)
{
    public static DisruptionBudget? Of(JsonObject budget)
    {
        // a budget with no selector, or an empty one, covers no pod here, as in kube-scheduler
        if (budget["spec"]?["selector"] is not JsonObject selector || LabelSelector.FromObject(selector) is { IsEmpty: true })
        {
            return null;
        }
        return new DisruptionBudget(budget["metadata"]?["namespace"].AsText() ?? "", LabelSelector.FromObject(selector),
            (int)(budget["status"]?["disruptionsAllowed"].AsLong() ?? 0),
            (budget["status"]?["disruptedPods"] as JsonObject ?? []).Select(p => p.Key).ToHashSet(StringComparer.Ordinal));
    }

    public bool Covers(PodDemand pod) => pod.Namespace == Namespace && Selector.MatchesLabels(pod.Labels);
}
