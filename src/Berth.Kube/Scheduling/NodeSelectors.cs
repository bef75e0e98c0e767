using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>A pod's <c>nodeSelector</c> and node affinity, matched against a node's labels and name.</summary>
internal static class NodeSelectors
{
    /// <summary>Whether the node satisfies the pod's <c>nodeSelector</c> and its required node affinity.</summary>
    public static bool RequiredMatch(JsonObject pod, JsonObject node)
    {
        var labels = node["metadata"]?["labels"] as JsonObject;
        foreach (var (key, value) in pod["spec"]?["nodeSelector"] as JsonObject ?? [])
        {
            if (labels?[key].AsText() != value.AsText())
            {
                return false;
            }
        }
        var required = pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"];
        return required is null || (required["nodeSelectorTerms"] as JsonArray ?? []).OfType<JsonObject>().Any(term => TermMatches(term, node));
    }

    /// <summary>The sum of the weights of the pod's preferred node-affinity terms that the node matches.</summary>
    public static long PreferredWeight(JsonObject pod, JsonObject node) =>
        (pod["spec"]?["affinity"]?["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(p => p["preference"] is JsonObject term && TermMatches(term, node))
            .Sum(p => p["weight"].AsLong() ?? 0);

    /// <summary>A term matches when all its expressions and fields do; a term with neither matches no node.</summary>
    private static bool TermMatches(JsonObject term, JsonObject node)
    {
        var expressions = (term["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var fields = (term["matchFields"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (expressions.Count == 0 && fields.Count == 0)
        {
            return false;
        }
        var labels = node["metadata"]?["labels"] as JsonObject;
        return expressions.All(e => RequirementMatches(e, labels?[e["key"].AsText() ?? ""].AsText()))
            && fields.All(f => f["key"].AsText() == "metadata.name" && RequirementMatches(f, node["metadata"]?["name"].AsText()));
    }

    private static bool RequirementMatches(JsonObject requirement, string? actual)
    {
        var values = (requirement["values"] as JsonArray ?? []).Select(v => v.AsText()).ToList();
        return requirement["operator"].AsText() switch
        {
            "In" => actual is not null && values.Contains(actual),
            "NotIn" => actual is null || !values.Contains(actual),
            "Exists" => actual is not null,
            "DoesNotExist" => actual is null,
            "Gt" => Compare(actual, values) is > 0,
            "Lt" => Compare(actual, values) is < 0,
            _ => false,
        };
    }

    /// <summary>For <c>Gt</c> and <c>Lt</c>: the label and the one value compared as integers, or null when either is not one.</summary>
    private static int? Compare(string? actual, List<string?> values) =>
        values.Count == 1
        && long.TryParse(actual, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var label)
        && long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound)
            ? label.CompareTo(bound)
            : null;
}
