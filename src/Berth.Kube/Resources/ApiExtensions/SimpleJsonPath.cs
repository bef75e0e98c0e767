using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Kube.Resources.ApiExtensions;

/// <summary>
/// The JSONPath subset printer columns use: a dotted path from the object's root with list indexes,
/// <c>.spec.replicas</c>, <c>.status.conditions[0].type</c>. A path that leads nowhere gives null.
/// </summary>
internal static class SimpleJsonPath
{
    public static JsonNode? Evaluate(JsonNode? root, string path)
    {
        var node = root;
        foreach (var segment in path.Trim().TrimStart('{').TrimEnd('}').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var field = bracket < 0 ? segment : segment[..bracket];
            if (field.Length > 0)
            {
                node = (node as JsonObject)?[field];
            }
            while (bracket >= 0 && node is not null)
            {
                var close = segment.IndexOf(']', bracket);
                if (close < 0 || !int.TryParse(segment.AsSpan(bracket + 1, close - bracket - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    return null;
                }
                node = node is JsonArray list && index < list.Count ? list[index] : null;
                bracket = segment.IndexOf('[', close);
            }
        }
        return node;
    }
}
