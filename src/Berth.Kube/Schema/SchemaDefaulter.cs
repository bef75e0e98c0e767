using System.Text.Json.Nodes;

namespace Berth.Kube.Schema;

/// <summary>
/// Fills the <c>default</c> values a custom resource's schema gives, as apiextensions-apiserver's structural
/// defaulting does: a field left out gets its default, and defaults inside a defaulted object apply in turn.
/// </summary>
internal static class SchemaDefaulter
{
    private const int MaxDepth = 64;

    public static void Apply(JsonObject obj, TypeSchema schema) => Fill(obj, schema, 0);

    private static void Fill(JsonNode? node, TypeSchema schema, int depth)
    {
        if (depth > MaxDepth || node is null)
        {
            return;
        }
        switch (schema.Kind)
        {
            case SchemaKind.Object when node is JsonObject obj:
                foreach (var (field, property) in schema.Properties)
                {
                    if (!obj.ContainsKey(field) && property.Schema.Constraints?.Default is { } value)
                    {
                        obj[field] = value.DeepClone();
                    }
                    Fill(obj[field], property.Schema, depth + 1);
                }
                break;
            case SchemaKind.Array when node is JsonArray array:
                foreach (var item in array)
                {
                    Fill(item, schema.Items!, depth + 1);
                }
                break;
            case SchemaKind.Map when node is JsonObject map:
                foreach (var (_, value) in map)
                {
                    Fill(value, schema.Items!, depth + 1);
                }
                break;
        }
    }
}
