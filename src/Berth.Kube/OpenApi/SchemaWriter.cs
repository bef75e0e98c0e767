using System.Text.Json.Nodes;
using Berth.Kube.Schema;

namespace Berth.Kube.OpenApi;

/// <summary>
/// Writes type schemas as kube-apiserver publishes them: every named object type is a named schema (a v3 component,
/// a v2 definition), and IntOrString and Quantity are named schemas of their own. A field of a named type keeps its
/// own description beside the <c>$ref</c>: in v3, where a <c>$ref</c> has no siblings, inside an <c>allOf</c>.
/// </summary>
internal sealed class SchemaWriter(ModelDocumentation documentation, OpenApiFormat format)
{
    public const string IntOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string QuantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity";

    private readonly JsonObject _components = [];

    public OpenApiFormat Format => format;

    /// <summary>The named schemas written so far, by name: v3's <c>components.schemas</c>, v2's <c>definitions</c>.</summary>
    public JsonObject Components => _components;

    public string Reference(string name) => (format == OpenApiFormat.V2 ? "#/definitions/" : "#/components/schemas/") + name;

    /// <summary>Adds the component of a named object type and of every type it reaches; returns its name.</summary>
    public string Add(TypeSchema schema)
    {
        var name = schema.Name ?? throw new ArgumentException("Only named object types are components.", nameof(schema));
        if (_components.ContainsKey(name))
        {
            return name;
        }
        var component = new JsonObject();
        _components[name] = component; // first, so that a type reaching itself stops here
        WriteObject(component, schema);
        return name;
    }

    /// <summary>An object type's description, properties, required fields and kinds, written into <paramref name="target"/>.</summary>
    private void WriteObject(JsonObject target, TypeSchema schema)
    {
        if (documentation.Describe(schema.Description) is { } description)
        {
            target["description"] = description;
        }
        target["type"] = "object";
        var properties = new JsonObject();
        foreach (var (field, property) in schema.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            properties[field] = Field(property);
        }
        if (properties.Count > 0)
        {
            target["properties"] = properties;
        }
        if (schema.Properties.Where(p => p.Value.Required).Select(p => (JsonNode)p.Key).ToArray() is { Length: > 0 } required)
        {
            target["required"] = new JsonArray(required);
        }
        if (schema.PreserveUnknownFields)
        {
            target["x-kubernetes-preserve-unknown-fields"] = true;
        }
        if (schema.Kinds.Count > 0)
        {
            target["x-kubernetes-group-version-kind"] = new JsonArray([.. schema.Kinds.Select(k => (JsonNode)Gvk(k))]);
        }
    }

    public static JsonObject Gvk(GroupVersionKind kind) =>
        new() { ["group"] = kind.Group, ["kind"] = kind.Kind, ["version"] = kind.Version };

    private JsonObject Field(SchemaProperty property)
    {
        var field = Inline(property.Schema);
        if (documentation.Describe(property.Description) is { } description)
        {
            field["description"] = description;
        }
        if (format == OpenApiFormat.V3 && field["$ref"] is { } reference)
        {
            // a $ref has no siblings in OpenAPI 3.0: wrap it, so the field's description stays beside it
            field.Remove("$ref");
            field["allOf"] = new JsonArray(new JsonObject { ["$ref"] = reference.DeepClone() });
        }
        return field;
    }

    private JsonObject Inline(TypeSchema schema)
    {
        var node = Shape(schema);
        if (schema.Constraints is { } c)
        {
            AddConstraints(node, c);
        }
        if (schema.Name is null && schema.Kind != SchemaKind.Object && documentation.Describe(schema.Description) is { } description)
        {
            node["description"] = description;
        }
        return node;
    }

    private static void AddConstraints(JsonObject node, SchemaConstraints c)
    {
        (string Name, JsonNode? Value)[] facets =
        [
            ("enum", c.Enum?.DeepClone()), ("minimum", c.Minimum), ("maximum", c.Maximum), ("minLength", c.MinLength),
            ("maxLength", c.MaxLength), ("pattern", c.Pattern), ("minItems", c.MinItems), ("maxItems", c.MaxItems),
        ];
        foreach (var (name, value) in facets.Where(f => f.Value is not null))
        {
            node[name] = value;
        }
    }

    private JsonObject Shape(TypeSchema schema) => schema.Kind switch
    {
        SchemaKind.Object when schema.Name is null => Anonymous(schema),
        SchemaKind.Object => new JsonObject { ["$ref"] = Reference(Add(schema)) },
        SchemaKind.Array => new JsonObject { ["type"] = "array", ["items"] = Inline(schema.Items!) },
        SchemaKind.Map => new JsonObject { ["type"] = "object", ["additionalProperties"] = Inline(schema.Items!) },
        SchemaKind.String => Typed("string", schema.Format),
        SchemaKind.Integer => Typed("integer", schema.Format),
        SchemaKind.Number => Typed("number", schema.Format),
        SchemaKind.Boolean => Typed("boolean", null),
        SchemaKind.IntOrString => new JsonObject { ["$ref"] = Reference(AddScalar(IntOrStringName, "integer", "string", "int-or-string")) },
        SchemaKind.Quantity => new JsonObject { ["$ref"] = Reference(AddScalar(QuantityName, "string", "number", null)) },
        SchemaKind.Any => new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
        _ => throw new InvalidOperationException($"Unknown schema kind {schema.Kind}."),
    };

    private JsonObject Anonymous(TypeSchema schema)
    {
        var node = new JsonObject();
        WriteObject(node, schema);
        return node;
    }

    /// <summary>
    /// A named schema for a value of either of two JSON types. In v3 it is a <c>oneOf</c> without a <c>type</c>, so
    /// kubectl prints its name; Swagger 2.0 has no <c>oneOf</c>, and kube-apiserver calls such values strings there.
    /// </summary>
    private string AddScalar(string name, string first, string second, string? valueFormat)
    {
        if (!_components.ContainsKey(name))
        {
            var component = format == OpenApiFormat.V2
                ? new JsonObject { ["type"] = "string" }
                : new JsonObject { ["oneOf"] = new JsonArray(Typed(first, null), Typed(second, null)) };
            if (valueFormat is not null)
            {
                component["format"] = valueFormat;
            }
            _components[name] = component;
        }
        return name;
    }

    private static JsonObject Typed(string type, string? format)
    {
        var node = new JsonObject { ["type"] = type };
        if (format is not null)
        {
            node["format"] = format;
        }
        return node;
    }
}
