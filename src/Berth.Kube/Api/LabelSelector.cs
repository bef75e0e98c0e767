using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>
/// A label selector: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>,
/// <c>a</c> and <c>!a</c>, joined by commas; every requirement must hold.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _requirements = [];

    public static LabelSelector Everything { get; } = new();

    public bool Matches(JsonObject obj) => MatchesLabels(obj["metadata"]?["labels"] as JsonObject);

    /// <summary>Whether a set of labels (a <c>metadata.labels</c> object) satisfies every requirement.</summary>
    public bool MatchesLabels(JsonObject? labels)
    {
        foreach (var requirement in _requirements)
        {
            if (!requirement(labels))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The selector selects everything: nothing need be read to match it.</summary>
    public bool IsEmpty => _requirements.Count == 0;

    /// <summary>Parses selector text as Kubernetes does; malformed text is a 400 naming it.</summary>
    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }
        var parser = new SelectorParser(text);
        do
        {
            selector._requirements.Add(parser.Requirement());
        }
        while (parser.TakeComma());
        parser.End();
        return selector;
    }

    /// <summary>A metav1.LabelSelector object (<c>matchLabels</c>, <c>matchExpressions</c>) as a selector.</summary>
    public static LabelSelector FromObject(JsonNode? selector) => Parse(Format(selector));

    /// <summary>A metav1.LabelSelector object in its text form, <c>app=web,tier in (a,b)</c>.</summary>
    public static string Format(JsonNode? selector)
    {
        var terms = new List<string>();
        if (selector?["matchLabels"] is JsonObject labels)
        {
            terms.AddRange(labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.AsText()}"));
        }
        if (selector?["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions)
            {
                var key = expression?["key"].AsText();
                var values = string.Join(",", (expression?["values"] as JsonArray ?? []).Select(v => v.AsText()));
                terms.Add(expression?["operator"].AsText() switch
                {
                    "In" => $"{key} in ({values})",
                    "NotIn" => $"{key} notin ({values})",
                    "Exists" => key ?? "",
                    "DoesNotExist" => $"!{key}",
                    _ => "",
                });
            }
        }
        return string.Join(",", terms.Where(t => t.Length > 0));
    }
}
