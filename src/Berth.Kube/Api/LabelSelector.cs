using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>
/// A parsed label selector: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>,
/// <c>a</c> and <c>!a</c>, joined by commas; every requirement must hold.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _requirements = [];

    public static LabelSelector Everything { get; } = new();

    public bool Matches(JsonObject obj) => _requirements.All(r => r(obj["metadata"]?["labels"] as JsonObject));

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }
        foreach (var part in SplitTopLevel(text))
        {
            selector._requirements.Add(ParseRequirement(part.Trim(), text));
        }
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

    private static Func<JsonObject?, bool> ParseRequirement(string part, string text)
    {
        static string? Value(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();

        foreach (var (op, negate) in new[] { ("notin", true), ("in", false) })
        {
            var at = part.IndexOf($" {op} ", StringComparison.Ordinal);
            if (at > 0)
            {
                var key = part[..at].Trim();
                var set = part[(at + op.Length + 2)..].Trim();
                if (!set.StartsWith('(') || !set.EndsWith(')'))
                {
                    throw Invalid(text);
                }
                var values = set[1..^1].Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
                return negate
                    ? labels => Value(labels, key) is not { } v || !values.Contains(v)
                    : labels => Value(labels, key) is { } v && values.Contains(v);
            }
        }
        if (part.Contains("!=", StringComparison.Ordinal))
        {
            var (key, value) = Split(part, "!=", text);
            return labels => Value(labels, key) != value;
        }
        if (part.Contains('=', StringComparison.Ordinal))
        {
            var (key, value) = Split(part, part.Contains("==", StringComparison.Ordinal) ? "==" : "=", text);
            return labels => Value(labels, key) == value;
        }
        if (part.StartsWith('!'))
        {
            var key = part[1..].Trim();
            return labels => labels?.ContainsKey(key) != true;
        }
        if (part.Length == 0 || part.Contains(' ', StringComparison.Ordinal))
        {
            throw Invalid(text);
        }
        return labels => labels?.ContainsKey(part) == true;
    }

    private static (string Key, string Value) Split(string part, string op, string text)
    {
        var at = part.IndexOf(op, StringComparison.Ordinal);
        var key = part[..at].Trim();
        if (key.Length == 0)
        {
            throw Invalid(text);
        }
        return (key, part[(at + op.Length)..].Trim());
    }

    /// <summary>Splits on commas outside parentheses.</summary>
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static KubeApiException Invalid(string text) =>
        KubeApiException.BadRequest($"unable to parse requirement: found '{text}', expected: valid label selector");
}
