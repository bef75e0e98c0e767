using System.Text.Json.Nodes;
using Berth.Kube.Api.Patching;
using Berth.Kube.Resources;
using Berth.Kube.Schema;

namespace Berth.Kube.ManagedFields;

/// <summary>How a list merges and is owned: item by item under a key, value by value as a set, or whole.</summary>
internal enum ListKind
{
    Atomic,
    Associative,
    Set,
}

/// <summary>
/// What field management needs to know of a kind's shape: which lists are keyed (the strategic-merge keys the
/// kind already declares, lists not named being atomic as they are in Kubernetes), which structs are owned whole,
/// and which fields no manager ever owns.
/// </summary>
internal sealed class FieldSemantics(ResourceType type)
{
    /// <summary>
    /// Structs Kubernetes marks atomic (<c>+structType=atomic</c>): a manager owns them whole, never field by field.
    /// </summary>
    private static readonly HashSet<string> s_atomicStructs = new(StringComparer.Ordinal)
    {
        "LabelSelector", "LocalObjectReference", "ObjectReference", "TypedLocalObjectReference", "ConfigMapKeySelector",
        "SecretKeySelector", "ObjectFieldSelector", "ResourceFieldSelector", "ConfigMapEnvSource", "SecretEnvSource",
        "NodeSelector", "NodeSelectorTerm", "TopologySelectorTerm",
    };

    /// <summary>
    /// Fields of Go value type, never omitted from an object: creating an object does not add them, only their
    /// contents, so no manager owns them as such (they have no <c>"."</c> in managedFields).
    /// </summary>
    private static readonly HashSet<string> s_valueFields = new(StringComparer.Ordinal)
    {
        "metadata", "spec", "status", "template", "jobTemplate", "strategy", "updateStrategy", "containers",
    };

    /// <summary>Metadata the server owns, left out of every field set.</summary>
    private static readonly HashSet<string> s_serverMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "selfLink", "managedFields",
    };

    public ResourceType Type => type;

    public TypeSchema Root => type.Schema;

    /// <summary>
    /// How the list at <paramref name="path"/> (of schema <paramref name="list"/>) merges, and the fields keying its
    /// items: as its schema says (<c>x-kubernetes-list-type</c>, custom resources), else by the kind's strategic-merge
    /// keys. Lists of ports are keyed by port and protocol, as Kubernetes' list-map keys say, though their
    /// strategic-merge key is the port alone.
    /// </summary>
    public ListKind ListAt(string path, TypeSchema? list, out ListKeys keys)
    {
        switch (list?.Constraints?.ListType)
        {
            case "map" when list.Constraints.ListMapKeys is { Count: > 0 } mapKeys:
                keys = new ListKeys(mapKeys);
                return ListKind.Associative;
            case "set":
                keys = ListKeys.None;
                return ListKind.Set;
            case "atomic":
                keys = ListKeys.None;
                return ListKind.Atomic;
        }
        if (type.Strategy.MergeKeys.TryGetValue(path, out var mergeKey))
        {
            if (mergeKey == StrategicMergePatch.PrimitiveSet)
            {
                keys = ListKeys.None;
                return ListKind.Set;
            }
            keys = mergeKey is "containerPort" or "port" ? new ListKeys([mergeKey, "protocol"]) : new ListKeys([mergeKey]);
            return ListKind.Associative;
        }
        keys = ListKeys.None;
        return ListKind.Atomic;
    }

    public static bool IsAtomicStruct(TypeSchema? schema) => schema?.GoName is { } name && s_atomicStructs.Contains(name);

    public static bool IsValueField(string name) => s_valueFields.Contains(name);

    /// <summary>
    /// Whether a field of the object at <paramref name="path"/> takes part in field management at all, given which
    /// part of the object a write may change (the status subresource changes only status; the object itself, all
    /// but the status when the kind has a status subresource).
    /// </summary>
    public bool Counts(string path, string field, string? subresource) => path switch
    {
        "" when field is "apiVersion" or "kind" => false,
        "" when field == "status" => subresource == "status" || !type.Strategy.HasStatus,
        "" => subresource != "status",
        "metadata" => !s_serverMetadata.Contains(field),
        _ => true,
    };

    public static TypeSchema? Property(TypeSchema? schema, string name) => schema?.Kind switch
    {
        SchemaKind.Object => schema.Properties.TryGetValue(name, out var property) ? property.Schema : null,
        SchemaKind.Map => schema.Items,
        _ => null,
    };

    public static string Child(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";
}

/// <summary>The fields naming an item of a keyed list; a port's left-out protocol counts as TCP, its default.</summary>
internal sealed record ListKeys(IReadOnlyList<string> Names)
{
    public static readonly ListKeys None = new([]);

    /// <summary>The element naming <paramref name="item"/> (<c>k:{"containerPort":80,"protocol":"TCP"}</c>); null when it lacks a key.</summary>
    public string? Element(JsonNode? item)
    {
        if (item is not JsonObject obj)
        {
            return null;
        }
        var values = new List<KeyValuePair<string, JsonNode?>>(Names.Count);
        foreach (var name in Names)
        {
            var value = obj[name] ?? (name == "protocol" ? JsonValue.Create("TCP") : null);
            if (value is null)
            {
                return null;
            }
            values.Add(KeyValuePair.Create(name, (JsonNode?)value));
        }
        return FieldSet.Key(values);
    }
}
