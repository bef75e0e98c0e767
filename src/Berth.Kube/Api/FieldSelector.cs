using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>
/// Field selectors: on the fields every kind supports (<c>metadata.name</c>, <c>metadata.namespace</c>) and on those
/// its strategy names (a Pod's <c>spec.nodeName</c>, an Event's <c>involvedObject.uid</c>). An absent field is "".
/// </summary>
internal sealed class FieldSelector
{
    private static readonly string[] s_common = ["metadata.name", "metadata.namespace"];

    private readonly List<(string Field, string Value, bool Equal)> _terms = [];
    private IReadOnlyDictionary<string, string> _defaults = new Dictionary<string, string>();

    public bool Matches(JsonObject obj) => _terms.All(t => Value(obj, t.Field) == t.Value == t.Equal);

    /// <summary>The selector selects everything: nothing need be read to match it.</summary>
    public bool IsEmpty => _terms.Count == 0;

    /// <summary>A field's value as selectors compare it: strings as they are, other values as JSON writes them.</summary>
    private string Value(JsonObject obj, string field)
    {
        JsonNode? node = obj;
        foreach (var part in field.Split('.'))
        {
            node = (node as JsonObject)?[part];
        }
        return node is null ? _defaults.GetValueOrDefault(field, "") : node.AsText() ?? node.ToJsonString();
    }

    public static FieldSelector Parse(string? text) => Parse(text, []);

    /// <summary>A selector of the common fields and <paramref name="kindFields"/>; <paramref name="defaults"/> stand in for fields an object leaves out.</summary>
    public static FieldSelector Parse(string? text, IReadOnlyCollection<string> kindFields, IReadOnlyDictionary<string, string>? defaults = null)
    {
        var selector = new FieldSelector();
        if (defaults is not null)
        {
            selector._defaults = defaults;
        }
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
            if (!s_common.Contains(field) && !kindFields.Contains(field))
            {
                throw KubeApiException.BadRequest($"field label not supported: {field}");
            }
            selector._terms.Add((field, part[(at + op.Length)..].Trim(), equal));
        }
        return selector;
    }
}
