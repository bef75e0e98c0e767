namespace Berth.Kube.Schema;

/// <summary>What a JSON value of a field must be.</summary>
internal enum SchemaKind
{
    /// <summary>A struct: named properties, each with its own schema; other names are unknown fields.</summary>
    Object,

    /// <summary>A list of <see cref="TypeSchema.Items"/>.</summary>
    Array,

    /// <summary>A map from string keys to <see cref="TypeSchema.Items"/>.</summary>
    Map,

    String,
    Integer,
    Number,
    Boolean,

    /// <summary>A string or an integer, as <c>IntOrString</c> ports and percentages are.</summary>
    IntOrString,

    /// <summary>A resource quantity: a string such as "100m", or a plain number.</summary>
    Quantity,

    /// <summary>Any JSON value, kept as sent: embedded objects and free-form schema fields.</summary>
    Any,
}

/// <summary>A group, version and kind, as <c>x-kubernetes-group-version-kind</c> names them.</summary>
internal readonly record struct GroupVersionKind(string Group, string Version, string Kind);

/// <summary>
/// Where a schema's description comes from: written inline (custom resources), or looked up by documentation id
/// in the model documentation when a document is published (built-in kinds), so that decoding never loads it.
/// </summary>
internal readonly record struct Description(string? Text, string? DocumentationId)
{
    public static readonly Description None = new(null, null);
}

/// <summary>
/// What a custom resource's schema asks of a value beyond its type (OpenAPI's enum, minimum, pattern, …), checked
/// after decoding by <see cref="SchemaValidator"/>, the default it gives, and how its lists merge. The built-in kinds' strategies check theirs in code.
/// </summary>
internal sealed record SchemaConstraints
{
    public System.Text.Json.Nodes.JsonArray? Enum { get; init; }

    public double? Minimum { get; init; }

    public double? Maximum { get; init; }

    public bool ExclusiveMinimum { get; init; }

    public bool ExclusiveMaximum { get; init; }

    public long? MinLength { get; init; }

    public long? MaxLength { get; init; }

    public string? Pattern { get; init; }

    public long? MinItems { get; init; }

    public long? MaxItems { get; init; }

    public bool Nullable { get; init; }

    /// <summary>The value a left-out field takes (<c>default</c>), filled by <see cref="SchemaDefaulter"/>.</summary>
    public System.Text.Json.Nodes.JsonNode? Default { get; init; }

    /// <summary>How a list merges and is owned (<c>x-kubernetes-list-type</c>: atomic, set or map); null when unsaid.</summary>
    public string? ListType { get; init; }

    /// <summary>The fields keying the items of a <c>map</c> list (<c>x-kubernetes-list-map-keys</c>).</summary>
    public IReadOnlyList<string>? ListMapKeys { get; init; }
}

/// <summary>One field of an object type.</summary>
internal sealed record SchemaProperty(TypeSchema Schema, bool Required, Description Description);

/// <summary>
/// The shape of one API type: enough to decode a request as kube-apiserver's decoder does (wrong types refused,
/// unknown fields found) and to publish it as an OpenAPI schema. Object schemas may be recursive.
/// </summary>
internal sealed class TypeSchema
{
    private readonly Dictionary<string, SchemaProperty> _properties = new(StringComparer.Ordinal);

    private TypeSchema(SchemaKind kind, string? format = null, TypeSchema? items = null)
    {
        Kind = kind;
        Format = format;
        Items = items;
    }

    public SchemaKind Kind { get; }

    /// <summary>The OpenAPI format: int32, int64, double, date-time, byte.</summary>
    public string? Format { get; }

    /// <summary>The element schema of an array or the value schema of a map.</summary>
    public TypeSchema? Items { get; }

    /// <summary>The component name of a named object type, such as <c>io.k8s.api.apps.v1.DeploymentSpec</c>.</summary>
    public string? Name { get; private init; }

    /// <summary>The short type name kube-apiserver's decoder uses in messages, such as <c>DeploymentSpec</c>.</summary>
    public string? GoName { get; private init; }

    /// <summary>The API kinds this object type is the schema of (top-level kinds only).</summary>
    public IReadOnlyList<GroupVersionKind> Kinds { get; private init; } = [];

    public Description Description { get; private set; } = Description.None;

    /// <summary>An object that keeps fields its properties do not name (<c>x-kubernetes-preserve-unknown-fields</c>).</summary>
    public bool PreserveUnknownFields { get; private init; }

    /// <summary>What the value must satisfy beyond its type; null when nothing.</summary>
    public SchemaConstraints? Constraints { get; private set; }

    /// <summary>An object's fields by their JSON names.</summary>
    public IReadOnlyDictionary<string, SchemaProperty> Properties => _properties;

    public static TypeSchema String(string? format = null) => new(SchemaKind.String, format);

    public static TypeSchema Integer(string format) => new(SchemaKind.Integer, format);

    public static TypeSchema Number() => new(SchemaKind.Number, "double");

    public static TypeSchema Boolean() => new(SchemaKind.Boolean);

    public static TypeSchema IntOrString() => new(SchemaKind.IntOrString, "int-or-string");

    public static TypeSchema Quantity() => new(SchemaKind.Quantity);

    public static TypeSchema Any() => new(SchemaKind.Any);

    public static TypeSchema ArrayOf(TypeSchema items) => new(SchemaKind.Array, items: items);

    public static TypeSchema MapOf(TypeSchema values) => new(SchemaKind.Map, items: values);

    /// <summary>A named object type; its properties are added after, so that a type may contain itself.</summary>
    public static TypeSchema Object(string name, string goName, IReadOnlyList<GroupVersionKind> kinds, Description description,
        bool preserveUnknownFields = false) =>
        new(SchemaKind.Object) { Name = name, GoName = goName, Kinds = kinds, Description = description, PreserveUnknownFields = preserveUnknownFields };

    /// <summary>An object type of no name of its own, as the nested objects of a custom resource's schema are.</summary>
    public static TypeSchema AnonymousObject(Description description, bool preserveUnknownFields) =>
        new(SchemaKind.Object) { Description = description, PreserveUnknownFields = preserveUnknownFields };

    public void AddProperty(string jsonName, SchemaProperty property) => _properties.Add(jsonName, property);

    /// <summary>Adds the description and constraints a schema gives a value, while the schema is being built.</summary>
    public TypeSchema Describe(Description description, SchemaConstraints? constraints)
    {
        Description = description;
        Constraints = constraints;
        return this;
    }

    /// <summary>The type as Go spells it in decoding errors: <c>int32</c>, <c>[]string</c>, <c>map[string]string</c>, <c>v1.PodSpec</c>.</summary>
    public string GoTypeName => Kind switch
    {
        SchemaKind.Object => GoName is null ? "map[string]interface {}" : "v1." + GoName,
        SchemaKind.Array => "[]" + Items!.GoTypeName,
        SchemaKind.Map => "map[string]" + Items!.GoTypeName,
        SchemaKind.Integer => Format ?? "int64",
        SchemaKind.Number => "float64",
        SchemaKind.Boolean => "bool",
        SchemaKind.IntOrString => "intstr.IntOrString",
        SchemaKind.Quantity => "resource.Quantity",
        SchemaKind.Any => "interface {}",
        _ => Format == "date-time" ? "v1.Time" : Format == "byte" ? "[]uint8" : "string",
    };
}
