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

    public ListKind ListAt(string path, out string key)
    {
        if (type.Strategy.MergeKeys.TryGetValue(path, out var mergeKey))
        {
            key = mergeKey;
            return mergeKey == StrategicMergePatch.PrimitiveSet ? ListKind.Set : ListKind.Associative;
        }
        key = "";
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

    /// <summary>The element naming a keyed list item; null when the item lacks its key.</summary>
    public static string? ItemElement(JsonNode? item, string key) =>
        item is JsonObject obj && obj.TryGetPropertyValue(key, out var value) && value is not null
            ? FieldSet.Key([KeyValuePair.Create<string, JsonNode?>(key, value)])
            : null;
}
