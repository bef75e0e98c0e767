using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>Field selectors on the fields every kind supports: <c>metadata.name</c> and <c>metadata.namespace</c>.</summary>
internal sealed class FieldSelector
{
    private readonly List<(string Field, string Value, bool Equal)> _terms = [];

    public bool Matches(JsonObject obj) => _terms.All(t =>
        (obj["metadata"]?[t.Field["metadata.".Length..]]?.GetValue<string>() ?? "") == t.Value == t.Equal);

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }
        foreach (var part in text.Split(','))
        {
            var equal = !part.Contains("!=", StringComparison.Ordinal);
            var op = equal ? (part.Contains("==", StringComparison.Ordinal) ? "==" : "=") : "!=";
            var at = part.IndexOf(op, StringComparison.Ordinal);
            if (at <= 0)
            {
                throw KubeApiException.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            }
            var field = part[..at].Trim();
            if (field is not ("metadata.name" or "metadata.namespace"))
            {
                throw KubeApiException.BadRequest($"field label not supported: {field}");
            }
            selector._terms.Add((field, part[(at + op.Length)..].Trim(), equal));
        }
        return selector;
    }
}
