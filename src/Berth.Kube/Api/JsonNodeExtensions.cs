using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

internal static class JsonNodeExtensions
{
    /// <summary>The node's string value, or null when it is absent or not a string: printing never throws on odd data.</summary>
    public static string? AsText(this JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>The node's boolean value, or null when it is absent or not a boolean.</summary>
    public static bool? AsBool(this JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.GetValue<bool>() : null;

    /// <summary>The node's integer value, or null when it is absent or not an integer.</summary>
    /// <remarks>A value parsed from JSON converts to any integer type; one made in code from an int converts only to int.</remarks>
    public static long? AsLong(this JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? value.TryGetValue<long>(out var number) ? number : value.TryGetValue<int>(out var small) ? small : null
            : null;
}
