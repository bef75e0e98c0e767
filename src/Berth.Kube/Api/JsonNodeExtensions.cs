using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

internal static class JsonNodeExtensions
{
    /// <summary>The node's string value, or null when it is absent or not a string: printing never throws on odd data.</summary>
    public static string? AsText(this JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
