using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Schema;

/// <summary>
/// Turns a CRD version's <c>openAPIV3Schema</c> into the <see cref="TypeSchema"/> its custom resources are
/// decoded, pruned and validated with, as apiextensions-apiserver's structural schemas are: fields a schema does
/// not name are pruned unless it says <c>x-kubernetes-preserve-unknown-fields</c>, and every object has
/// <c>apiVersion</c>, <c>kind</c> and <c>metadata</c>, whatever the schema says of them.
/// </summary>
internal static class CustomResourceSchema
{
    private const int MaxDepth = 64;

    private static readonly Lazy<TypeSchema> s_objectMeta = new(() =>
        ClientModelSchemas.Shared.ForKind("", "v1", "ConfigMap")!.Properties["metadata"].Schema);

    /// <summary>The schema of the kind a CRD version serves.</summary>
    public static TypeSchema ForKind(string group, string version, string kind, JsonObject? openApiV3Schema)
    {
        var name = string.Join(".", group.Split('.').Reverse()) + $".{version}.{kind}";
        var preserve = openApiV3Schema?["x-kubernetes-preserve-unknown-fields"].AsBool() == true;
        var root = TypeSchema.Object(name, kind, [new GroupVersionKind(group, version, kind)],
            new Description(openApiV3Schema?["description"].AsText(), null), preserve);
        var required = Required(openApiV3Schema);
        root.AddProperty("apiVersion", new SchemaProperty(TypeSchema.String(), false, new Description(
            "APIVersion defines the versioned schema of this representation of an object.", null)));
        root.AddProperty("kind", new SchemaProperty(TypeSchema.String(), false, new Description(
            "Kind is a string value representing the REST resource this object represents.", null)));
        root.AddProperty("metadata", new SchemaProperty(s_objectMeta.Value, false, new Description(
            "Standard object's metadata.", null)));
        foreach (var (field, node) in openApiV3Schema?["properties"] as JsonObject ?? [])
        {
            if (field is "apiVersion" or "kind" or "metadata" || node is not JsonObject property)
            {
                continue;
            }
            root.AddProperty(field, new SchemaProperty(Convert(property, 1), required.Contains(field), new Description(property["description"].AsText(), null)));
        }
        return root;
    }

    private static TypeSchema Convert(JsonObject schema, int depth)
    {
        if (depth > MaxDepth)
        {
            return TypeSchema.Any();
        }
        var description = new Description(schema["description"].AsText(), null);
        var constraints = Constraints(schema);
        var preserve = schema["x-kubernetes-preserve-unknown-fields"].AsBool() == true || schema["x-kubernetes-embedded-resource"].AsBool() == true;
        if (schema["x-kubernetes-int-or-string"].AsBool() == true)
        {
            return TypeSchema.IntOrString().Describe(description, constraints);
        }
        switch (schema["type"].AsText())
        {
            case "string":
                return TypeSchema.String(schema["format"].AsText() is "date-time" or "byte" ? schema["format"].AsText() : null).Describe(description, constraints);
            case "integer":
                return TypeSchema.Integer(schema["format"].AsText() == "int32" ? "int32" : "int64").Describe(description, constraints);
            case "number":
                return TypeSchema.Number().Describe(description, constraints);
            case "boolean":
                return TypeSchema.Boolean().Describe(description, constraints);
            case "array":
                return TypeSchema.ArrayOf(schema["items"] is JsonObject items ? Convert(items, depth + 1) : TypeSchema.Any()).Describe(description, constraints);
            case "object" when schema["properties"] is null && schema["additionalProperties"] is JsonObject values:
                return TypeSchema.MapOf(Convert(values, depth + 1)).Describe(description, constraints);
            case "object" when schema["properties"] is null && schema["additionalProperties"].AsBool() == true:
                return TypeSchema.MapOf(TypeSchema.Any()).Describe(description, constraints);
            case "object":
                var obj = TypeSchema.AnonymousObject(description, preserve);
                var required = Required(schema);
                foreach (var (field, node) in schema["properties"] as JsonObject ?? [])
                {
                    if (node is JsonObject property)
                    {
                        obj.AddProperty(field, new SchemaProperty(Convert(property, depth + 1), required.Contains(field),
                            new Description(property["description"].AsText(), null)));
                    }
                }
                return obj.Describe(description, constraints);
            default:
                return TypeSchema.Any().Describe(description, constraints);
        }
    }

    private static HashSet<string> Required(JsonObject? schema) =>
        schema?["required"] is JsonArray required ? [.. required.Select(r => r.AsText()).OfType<string>()] : [];

    private static SchemaConstraints? Constraints(JsonObject schema)
    {
        var constraints = new SchemaConstraints
        {
            Enum = schema["enum"] is JsonArray values ? (JsonArray)values.DeepClone() : null,
            Minimum = Number(schema["minimum"]),
            Maximum = Number(schema["maximum"]),
            ExclusiveMinimum = schema["exclusiveMinimum"].AsBool() == true,
            ExclusiveMaximum = schema["exclusiveMaximum"].AsBool() == true,
            MinLength = schema["minLength"].AsLong(),
            MaxLength = schema["maxLength"].AsLong(),
            Pattern = schema["pattern"].AsText(),
            MinItems = schema["minItems"].AsLong(),
            MaxItems = schema["maxItems"].AsLong(),
            Nullable = schema["nullable"].AsBool() == true,
            Default = schema["default"]?.DeepClone(),
            ListType = schema["x-kubernetes-list-type"].AsText(),
            ListMapKeys = schema["x-kubernetes-list-map-keys"] is JsonArray keys ? [.. keys.Select(k => k.AsText()).OfType<string>()] : null,
        };
        return constraints == new SchemaConstraints() ? null : constraints;
    }

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.Number ? value.GetValue<double>() : null;
}
