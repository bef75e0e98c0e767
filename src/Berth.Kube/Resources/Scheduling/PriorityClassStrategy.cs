using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Scheduling;

/// <summary>
/// PriorityClasses (scheduling.k8s.io/v1): named pod priorities. Names starting "system-" belong to the built-in
/// classes, which the cluster creates at its first start; a class's value never changes.
/// </summary>
internal sealed class PriorityClassStrategy : IResourceStrategy
{
    private const string SystemPrefix = "system-";

    /// <summary>The highest value a class that is not a system class may have.</summary>
    private const long HighestUserDefinable = 1_000_000_000;

    private static readonly string[] s_preemptionPolicies = ["Never", "PreemptLowerPriority"];

    /// <summary>The built-in classes, as kube-apiserver creates them.</summary>
    public static readonly IReadOnlyList<(string Name, long Value, string Description)> SystemClasses =
    [
        ("system-node-critical", 2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
        ("system-cluster-critical", 2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
    ];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Value", "integer", "", "value represents the integer value of this priority class.", 0, (obj, _) => obj["value"].AsLong() ?? 0),
        new("Global-Default", "boolean", "", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.", 0,
            (obj, _) => obj["globalDefault"].AsBool() ?? false),
        TableColumn.AgeColumn(),
        // Kubernetes prints the policy by default (priority 0), though its printer adds the cell only for wide output.
        new("PreemptionPolicy", "string", "", "preemptionPolicy is the Policy for preempting pods with lower priority.", 0,
            (obj, _) => obj["preemptionPolicy"].AsText() ?? ""),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
        obj["preemptionPolicy"] ??= "PreemptLowerPriority";
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var error in ObjectMetaValidation.Name(obj, label: false))
        {
            yield return error;
        }
        var name = obj["metadata"]?["name"].AsText() ?? "";
        var value = obj["value"].AsLong() ?? 0;
        if (name.StartsWith(SystemPrefix, StringComparison.Ordinal))
        {
            if (SystemClassError(name, value, obj["globalDefault"].AsBool() ?? false) is { } error)
            {
                yield return FieldError.Forbidden("metadata.name", $"priority class names with '{SystemPrefix}' prefix are reserved for system use only. error: {error}");
            }
        }
        else if (value > HighestUserDefinable)
        {
            yield return FieldError.Forbidden("value", $"maximum allowed value of a user defined priority is {HighestUserDefinable}");
        }
        if (obj["preemptionPolicy"].AsText() is { } policy && !s_preemptionPolicies.Contains(policy))
        {
            yield return FieldError.NotSupported("preemptionPolicy", policy, s_preemptionPolicies);
        }
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        if ((obj["value"].AsLong() ?? 0) != (old["value"].AsLong() ?? 0))
        {
            yield return FieldError.Forbidden("value", "may not be changed in an update.");
        }
        if (obj["preemptionPolicy"].AsText() != old["preemptionPolicy"].AsText())
        {
            yield return FieldError.Immutable("preemptionPolicy", obj["preemptionPolicy"].AsText() ?? "");
        }
    }

    /// <summary>Why a class with a system name is not the built-in class of that name; null when it is.</summary>
    private static string? SystemClassError(string name, long value, bool globalDefault)
    {
        foreach (var system in SystemClasses.Where(s => s.Name == name))
        {
            return system.Value != value ? $"value of {name} PriorityClass must be {system.Value}"
                : globalDefault ? $"globalDefault of {name} PriorityClass must be false"
                : null;
        }
        return $"{name} is not a known system priority class";
    }
}
