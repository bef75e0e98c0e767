using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Berth.Kube.Schema;

/// <summary>What decoding found: the unknown fields it dropped, or the first value of a wrong type.</summary>
internal sealed record DecodeResult(IReadOnlyList<string> UnknownFields, string? TypeError);

/// <summary>
/// Decodes a JSON object into its kind's shape the way kube-apiserver's decoder does, in place: a value of the
/// wrong type stops decoding with Go's message; fields the type does not have are dropped and reported by
/// path (<c>spec.template.spec.containers[0].foo</c>), for the caller to refuse, warn about or ignore; null
/// struct fields are dropped, as they decode to unset.
/// </summary>
internal static partial class SchemaDecoder
{
    public static DecodeResult Decode(JsonObject obj, TypeSchema schema)
    {
        var unknown = new List<string>();
        var error = DecodeObject(obj, schema, new FieldPath(), unknown);
        return new DecodeResult(unknown, error);
    }

    private static string? DecodeObject(JsonObject obj, TypeSchema schema, FieldPath path, List<string> unknown)
    {
        // Walked by position, as values may be replaced in place (quantities made canonical); fields are dropped
        // once the walk is done.
        List<string>? dropped = null;
        try
        {
            for (var i = 0; i < obj.Count; i++)
            {
                var (name, value) = obj.GetAt(i);
                if (!schema.Properties.TryGetValue(name, out var property))
                {
                    if (schema.PreserveUnknownFields)
                    {
                        continue;
                    }
                    unknown.Add(path.Format(name));
                    (dropped ??= []).Add(name);
                    continue;
                }
                if (value is null)
                {
                    (dropped ??= []).Add(name);
                    continue;
                }
                path.PushField(name);
                var error = DecodeValue(value, property.Schema, path, schema, unknown);
                path.Pop();
                if (error is not null)
                {
                    return error;
                }
            }
            return null;
        }
        finally
        {
            foreach (var name in dropped ?? [])
            {
                obj.Remove(name);
            }
        }
    }

    private static string? DecodeValue(JsonNode node, TypeSchema schema, FieldPath path, TypeSchema owner, List<string> unknown)
    {
        var kind = node.GetValueKind();
        switch (schema.Kind)
        {
            case SchemaKind.Any:
                return null;
            case SchemaKind.Object:
                return node is JsonObject obj ? DecodeObject(obj, schema, path, unknown) : Mismatch(kind, owner, path, schema);
            case SchemaKind.Array:
                if (node is not JsonArray array)
                {
                    return Mismatch(kind, owner, path, schema);
                }
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not { } item)
                    {
                        continue;
                    }
                    path.PushIndex(i.ToString(CultureInfo.InvariantCulture));
                    var itemError = DecodeValue(item, schema.Items!, path, owner, unknown);
                    path.Pop();
                    if (itemError is not null)
                    {
                        return itemError;
                    }
                }
                return null;
            case SchemaKind.Map:
                if (node is not JsonObject map)
                {
                    return Mismatch(kind, owner, path, schema);
                }
                for (var i = 0; i < map.Count; i++)
                {
                    var (key, value) = map.GetAt(i);
                    if (value is null)
                    {
                        continue;
                    }
                    path.PushIndex(key);
                    var valueError = DecodeValue(value, schema.Items!, path, owner, unknown);
                    path.Pop();
                    if (valueError is not null)
                    {
                        return valueError;
                    }
                }
                return null;
            case SchemaKind.String:
                return kind == JsonValueKind.String ? null : Mismatch(kind, owner, path, schema);
            case SchemaKind.Boolean:
                return kind is JsonValueKind.True or JsonValueKind.False ? null : Mismatch(kind, owner, path, schema);
            case SchemaKind.Number:
                return kind == JsonValueKind.Number ? null : Mismatch(kind, owner, path, schema);
            case SchemaKind.Integer:
                // Go names the number only when it is a number that does not fit: "cannot unmarshal number 1.5 into …"
                return kind == JsonValueKind.Number && FitsInteger(node, schema.Format) ? null : Mismatch(kind, owner, path, schema, node);
            case SchemaKind.IntOrString:
                return kind == JsonValueKind.String || (kind == JsonValueKind.Number && FitsInteger(node, "int32"))
                    ? null
                    : Mismatch(kind, owner, path, schema, node);
            case SchemaKind.Quantity:
                if (kind is not (JsonValueKind.Number or JsonValueKind.String))
                {
                    return Mismatch(kind, owner, path, schema);
                }
                var text = kind == JsonValueKind.Number ? node.ToJsonString() : node.GetValue<string>();
                if (!QuantityPattern().IsMatch(text))
                {
                    return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
                }
                // kept as Kubernetes keeps quantities: as strings, in canonical form ("1.5Gi" is "1536Mi")
                if (Resources.Quantity.Canonical(text) is { } canonical && (kind == JsonValueKind.Number || canonical != text) && node.Parent is not null)
                {
                    node.ReplaceWith(canonical);
                }
                return null;
            default:
                throw new InvalidOperationException($"Unknown schema kind {schema.Kind}.");
        }
    }

    /// <summary>Whether a number is an integer of the field's size; values parsed from JSON and values made in code (from protobuf) alike.</summary>
    private static bool FitsInteger(JsonNode node, string? format)
    {
        var value = node.AsValue();
        long number;
        if (value.TryGetValue<long>(out var parsed))
        {
            number = parsed;
        }
        else if (value.TryGetValue<int>(out var small))
        {
            number = small;
        }
        else
        {
            return false;
        }
        return format != "int32" || number is >= int.MinValue and <= int.MaxValue;
    }

    /// <summary>Go's message for a JSON value that does not fit its field: <c>json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32</c>.</summary>
    private static string Mismatch(JsonValueKind kind, TypeSchema owner, FieldPath path, TypeSchema expected, JsonNode? number = null)
    {
        var found = kind switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "bool",
            JsonValueKind.Number => "number " + number?.ToJsonString(),
            _ => kind.ToString().ToLowerInvariant(),
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"json: cannot unmarshal {found.TrimEnd()} into Go struct field {owner.GoName ?? "Object"}.{path.FormatGo()} of type {expected.GoTypeName}");
    }

    [GeneratedRegex("^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")]
    private static partial Regex QuantityPattern();
}
