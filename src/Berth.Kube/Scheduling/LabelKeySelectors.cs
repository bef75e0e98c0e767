using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// A term's label selector with <c>matchLabelKeys</c> (and <c>mismatchLabelKeys</c>) merged in as kube-apiserver
/// merges them: each key the pod has a label for adds <c>key in (value)</c> (or <c>notin</c>). No selector selects nothing.
/// </summary>
internal static class LabelKeySelectors
{
    public static LabelSelector? Of(JsonObject term, JsonObject? podLabels)
    {
        if (term["labelSelector"] is not JsonObject labelSelector)
        {
            return null;
        }
        var text = new List<string> { LabelSelector.Format(labelSelector) };
        text.AddRange(Keys(term["matchLabelKeys"], podLabels).Select(p => $"{p.Key} in ({p.Value})"));
        text.AddRange(Keys(term["mismatchLabelKeys"], podLabels).Select(p => $"{p.Key} notin ({p.Value})"));
        return LabelSelector.Parse(string.Join(",", text.Where(t => t.Length > 0)));
    }

    private static IEnumerable<KeyValuePair<string, string>> Keys(JsonNode? keys, JsonObject? labels) =>
        (keys as JsonArray ?? []).Select(k => k.AsText()).OfType<string>()
            .Where(k => labels?[k].AsText() is not null)
            .Select(k => KeyValuePair.Create(k, labels![k].AsText()!));
}
