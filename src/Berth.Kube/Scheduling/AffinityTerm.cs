using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// One inter-pod affinity or anti-affinity term, resolved for the pod that carries it: which pods it selects (its
/// label selector, with <c>matchLabelKeys</c> and <c>mismatchLabelKeys</c> merged in from the pod's own labels)
/// in which namespaces (those listed, those the namespace selector picks, or else the pod's own), over which
/// topology. A term without a label selector selects no pod, as in Kubernetes.
/// </summary>
internal sealed class AffinityTerm
{
    private readonly LabelSelector? _selector;
    private readonly HashSet<string> _namespaces;
    private readonly LabelSelector? _namespaceSelector;

    private AffinityTerm(LabelSelector? selector, HashSet<string> namespaces, LabelSelector? namespaceSelector, string topologyKey, int weight)
    {
        _selector = selector;
        _namespaces = namespaces;
        _namespaceSelector = namespaceSelector;
        TopologyKey = topologyKey;
        Weight = weight;
    }

    public string TopologyKey { get; }

    /// <summary>The preference's weight; 1 for a required term.</summary>
    public int Weight { get; }

    public static AffinityTerm Of(JsonObject term, string ns, JsonObject? labels, int weight)
    {
        LabelSelector? selector = null;
        if (term["labelSelector"] is JsonObject labelSelector)
        {
            var text = new List<string> { LabelSelector.Format(labelSelector) };
            text.AddRange(LabelKeys(term["matchLabelKeys"], labels).Select(p => $"{p.Key} in ({p.Value})"));
            text.AddRange(LabelKeys(term["mismatchLabelKeys"], labels).Select(p => $"{p.Key} notin ({p.Value})"));
            selector = LabelSelector.Parse(string.Join(",", text.Where(t => t.Length > 0)));
        }
        var namespaces = (term["namespaces"] as JsonArray ?? []).Select(n => n.AsText()).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var namespaceSelector = term["namespaceSelector"] is JsonObject nsSelector ? LabelSelector.FromObject(nsSelector) : null;
        if (namespaces.Count == 0 && namespaceSelector is null)
        {
            namespaces.Add(ns);
        }
        return new AffinityTerm(selector, namespaces, namespaceSelector, term["topologyKey"].AsText() ?? "", weight);
    }

    /// <summary>Whether the term selects <paramref name="pod"/>; <paramref name="namespaceLabels"/> gives a namespace's labels.</summary>
    public bool Matches(PodDemand pod, Func<string, JsonObject?> namespaceLabels) =>
        _selector is not null
        && (_namespaces.Contains(pod.Namespace) || (_namespaceSelector is not null && _namespaceSelector.MatchesLabels(namespaceLabels(pod.Namespace))))
        && _selector.MatchesLabels(pod.Labels);

    private static IEnumerable<KeyValuePair<string, string>> LabelKeys(JsonNode? keys, JsonObject? labels) =>
        (keys as JsonArray ?? []).Select(k => k.AsText()).OfType<string>()
            .Where(k => labels?[k].AsText() is not null)
            .Select(k => KeyValuePair.Create(k, labels![k].AsText()!));
}
