using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// One inter-pod affinity or anti-affinity term, resolved for the pod that carries it: which pods it selects (its
/// label selector, with <c>matchLabelKeys</c> and <c>mismatchLabelKeys</c> merged in from the pod's own labels)
/// in which namespaces (those listed, those the namespace selector picks, or else the pod's own), over which
/// topology. A term without a label selector selects no pod, as in Kubernetes.
/// </summary>
internal sealed class AffinityTerm(LabelSelector? selector, HashSet<string> namespaces, LabelSelector? namespaceSelector, string topologyKey, int weight)
{
    public string TopologyKey { get; } = topologyKey;

    /// <summary>The preference's weight; 1 for a required term.</summary>
    public int Weight { get; } = weight;

    public static AffinityTerm Of(JsonObject term, string ns, JsonObject? labels, int weight)
    {
        var namespaces = (term["namespaces"] as JsonArray ?? []).Select(n => n.AsText()).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var namespaceSelector = term["namespaceSelector"] is JsonObject nsSelector ? LabelSelector.FromObject(nsSelector) : null;
        if (namespaces.Count == 0 && namespaceSelector is null)
        {
            namespaces.Add(ns);
        }
        return new AffinityTerm(LabelKeySelectors.Of(term, labels), namespaces, namespaceSelector, term["topologyKey"].AsText() ?? "", weight);
    }

    /// <summary>Whether the term selects <paramref name="pod"/>; <paramref name="namespaceLabels"/> gives a namespace's labels.</summary>
    public bool Matches(PodDemand pod, Func<string, JsonObject?> namespaceLabels) =>
        selector is not null
        && (namespaces.Contains(pod.Namespace) || (namespaceSelector is not null && namespaceSelector.MatchesLabels(namespaceLabels(pod.Namespace))))
        && selector.MatchesLabels(pod.Labels);
}
