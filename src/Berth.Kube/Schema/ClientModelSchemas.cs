using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Berth.Kube.Schema;

/// <summary>
/// Schemas of the built-in kinds, read by reflection from the model types of KubernetesClient, the official C#
/// client, which are generated from Kubernetes' own API definitions: JSON names from their attributes, types from
/// their properties. The models do not record which fields are required; the kinds' strategies check those.
/// Built once per kind, on first use.
/// </summary>
internal sealed partial class ClientModelSchemas
{
    private const string MetaPrefix = "io.k8s.apimachinery.pkg.apis.meta";

    /// <summary>The apimachinery types, published under their own package rather than an API group's.</summary>
    private static readonly HashSet<string> s_metaTypes =
    [
        "ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference", "ManagedFieldsEntry",
        "Condition", "Status", "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions",
    ];

    /// <summary>
    /// Types of the core API package that no core kind reaches, so the rule of the first kind would give them to
    /// another group: StorageClasses' topology terms are core/v1 types in Kubernetes' OpenAPI and protobuf.
    /// </summary>
    private static readonly Type[] s_coreTypesOfOtherKinds = [typeof(V1TopologySelectorTerm), typeof(V1TopologySelectorLabelRequirement)];

    /// <summary>Kinds whose models carry no KubernetesEntity attribute: the client's metrics.k8s.io types.</summary>
    private static readonly Dictionary<GroupVersionKind, Type> s_unattributedKinds = new()
    {
        [new("metrics.k8s.io", "v1beta1", "NodeMetrics")] = typeof(NodeMetrics),
        [new("metrics.k8s.io", "v1beta1", "NodeMetricsList")] = typeof(NodeMetricsList),
        [new("metrics.k8s.io", "v1beta1", "PodMetrics")] = typeof(PodMetrics),
        [new("metrics.k8s.io", "v1beta1", "PodMetricsList")] = typeof(PodMetricsList),
    };

    private readonly Dictionary<GroupVersionKind, Type> _kinds;
    private readonly Dictionary<Type, string> _groups;
    private readonly Dictionary<Type, TypeSchema> _built = [];
    private readonly Lock _lock = new();

    public ClientModelSchemas()
    {
        _kinds = typeof(V1Pod).Assembly.GetTypes()
            .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
            .Where(e => e.Entity is not null && e.Type.Namespace == "k8s.Models")
            .Select(e => KeyValuePair.Create(new GroupVersionKind(e.Entity!.Group ?? "", e.Entity.ApiVersion, e.Entity.Kind), e.Type))
            .Concat(s_unattributedKinds)
            .ToDictionary();
        _groups = AssignGroups(_kinds);
    }

    public static ClientModelSchemas Shared { get; } = new();

    /// <summary>The schema of a built-in kind, or null when the client knows no such kind.</summary>
    public TypeSchema? ForKind(string group, string version, string kind)
    {
        if (!_kinds.TryGetValue(new(group, version, kind), out var type))
        {
            return null;
        }
        lock (_lock)
        {
            return Build(type);
        }
    }

    /// <summary>
    /// The API group each model type is published under: its kind's group, or for a shared type, the group of the
    /// first kind that reaches it, the core group first. Fixed for the whole model, whichever kind is built first.
    /// </summary>
    private static Dictionary<Type, string> AssignGroups(Dictionary<GroupVersionKind, Type> kinds)
    {
        var groups = s_coreTypesOfOtherKinds.ToDictionary(t => t, _ => "");
        foreach (var (kind, root) in kinds.OrderBy(k => k.Key.Group.Length > 0).ThenBy(k => k.Key.Group, StringComparer.Ordinal)
            .ThenBy(k => k.Key.Version, StringComparer.Ordinal).ThenBy(k => k.Key.Kind, StringComparer.Ordinal))
        {
            // everything one kind reaches, before the next kind: a shared type belongs to the first kind's group
            var pending = new Stack<Type>([root]);
            while (pending.TryPop(out var type))
            {
                if (!groups.TryAdd(type, kind.Group))
                {
                    continue;
                }
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    foreach (var reached in ModelTypesIn(property.PropertyType))
                    {
                        pending.Push(reached);
                    }
                }
            }
        }
        return groups;
    }

    private static IEnumerable<Type> ModelTypesIn(Type type) =>
        type.IsGenericType
            ? type.GetGenericArguments().SelectMany(ModelTypesIn)
            : type.IsClass && type.Namespace == "k8s.Models" ? [type] : [];

    private TypeSchema Build(Type type)
    {
        if (_built.TryGetValue(type, out var done))
        {
            return done;
        }
        var (version, goName) = SplitModelName(type.Name);
        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>();
        GroupVersionKind[] kinds = entity is null ? [.. s_unattributedKinds.Where(k => k.Value == type).Select(k => k.Key)] : [new(entity.Group ?? "", entity.ApiVersion, entity.Kind)];
        var group = entity?.Group ?? _groups.GetValueOrDefault(type, "");
        if (group == "metrics.k8s.io")
        {
            version = "v1beta1"; // the client names its metrics types without their version
        }
        var schema = TypeSchema.Object($"{PackageOf(s_metaTypes.Contains(goName) ? null : group)}.{version}.{goName}",
            goName, kinds, new Description(null, "T:" + type.FullName));
        _built.Add(type, schema); // before the properties, so that a type reaching itself finds itself
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name is not { } jsonName)
            {
                continue;
            }
            schema.AddProperty(jsonName, new SchemaProperty(
                Map(property.PropertyType),
                Required: false,
                new Description(null, $"P:{type.FullName}.{property.Name}")));
        }
        return schema;
    }

    private TypeSchema Map(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return TypeSchema.String();
        }
        if (type == typeof(int))
        {
            return TypeSchema.Integer("int32");
        }
        if (type == typeof(long))
        {
            return TypeSchema.Integer("int64");
        }
        if (type == typeof(double) || type == typeof(float))
        {
            return TypeSchema.Number();
        }
        if (type == typeof(bool))
        {
            return TypeSchema.Boolean();
        }
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return TypeSchema.String("date-time");
        }
        if (type == typeof(byte[]))
        {
            return TypeSchema.String("byte");
        }
        if (type == typeof(IntOrString))
        {
            return TypeSchema.IntOrString();
        }
        if (type == typeof(ResourceQuantity))
        {
            return TypeSchema.Quantity();
        }
        if (type == typeof(object) || type == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(type))
        {
            return TypeSchema.Any();
        }
        if (type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string)
            && typeof(IDictionary<,>).MakeGenericType(key, value).IsAssignableFrom(type))
        {
            return TypeSchema.MapOf(Map(value));
        }
        if (type.IsGenericType && type.GetGenericArguments() is [var element]
            && typeof(IEnumerable<>).MakeGenericType(element).IsAssignableFrom(type))
        {
            return TypeSchema.ArrayOf(Map(element));
        }
        if (type.IsClass && type.Namespace == "k8s.Models")
        {
            return Build(type);
        }
        throw new InvalidOperationException($"No schema mapping for the model property type {type}.");
    }

    /// <summary>The package a group's types are published under, as kube-apiserver names its schemas.</summary>
    private static string PackageOf(string? group) => group switch
    {
        null => MetaPrefix,
        "" => "io.k8s.api.core",
        "apiextensions.k8s.io" => "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
        "metrics.k8s.io" => "io.k8s.metrics.pkg.apis.metrics",
        _ => "io.k8s.api." + group.Split('.')[0],
    };

    /// <summary>
    /// Splits a model's name into its version and type name: <c>V1DeploymentSpec</c>, <c>V2beta1Thing</c>, or, where
    /// two groups share a type name, <c>Rbacv1Subject</c>.
    /// </summary>
    private static (string Version, string Name) SplitModelName(string modelName) =>
        ModelName().Match(modelName) is { Success: true } m
            ? (m.Groups["version"].Value.ToLowerInvariant(), m.Groups["name"].Value)
            : ("v1", modelName);

    [GeneratedRegex("^(?:[A-Z][a-z]+)?(?<version>[Vv][0-9]+(?:alpha[0-9]+|beta[0-9]+)?)(?<name>[A-Z].*)$")]
    private static partial Regex ModelName();
}
