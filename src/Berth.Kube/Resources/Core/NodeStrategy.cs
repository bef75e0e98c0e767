using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>
/// Nodes: registered by their agent with their status, which the create keeps; printed with the Ready condition,
/// the roles from <c>node-role.kubernetes.io/&lt;role&gt;</c> labels and the agent's versions.
/// </summary>
internal sealed class NodeStrategy : IResourceStrategy
{
    private const string RoleLabelPrefix = "node-role.kubernetes.io/";
    private const string RoleLabel = "kubernetes.io/role";

    private static readonly string[] s_taintEffects = ["NoExecute", "NoSchedule", "PreferNoSchedule"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Status", "string", "", "The status of the node", 0, (obj, _) => Status(obj)),
        new("Roles", "string", "", "The roles of the node", 0, (obj, _) => Roles(obj)),
        TableColumn.AgeColumn(),
        new("Version", "string", "", "Kubelet Version reported by the node.", 0, (obj, _) => Info(obj, "kubeletVersion") ?? ""),
        new("Internal-IP", "string", "", "List of addresses reachable to the node.", 1, (obj, _) => Address(obj, "InternalIP")),
        new("External-IP", "string", "", "List of addresses reachable to the node.", 1, (obj, _) => Address(obj, "ExternalIP")),
        new("OS-Image", "string", "", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1,
            (obj, _) => Info(obj, "osImage") is { Length: > 0 } image ? image : "<unknown>"),
        new("Kernel-Version", "string", "", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1,
            (obj, _) => Info(obj, "kernelVersion") is { Length: > 0 } kernel ? kernel : "<unknown>"),
        new("Container-Runtime", "string", "", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1,
            (obj, _) => Info(obj, "containerRuntimeVersion") is { Length: > 0 } runtime ? runtime : "<unknown>"),
    ];

    public bool HasStatus => true;

    public bool CreateKeepsStatus => true;

    public IReadOnlyCollection<string> FieldLabels { get; } = ["spec.unschedulable"];

    public IReadOnlyDictionary<string, string> FieldLabelDefaults { get; } = new Dictionary<string, string> { ["spec.unschedulable"] = "false" };

    public void ApplyDefaults(JsonObject obj)
    {
        // What can be allocated is, unless the node says otherwise, all it has.
        if (obj["status"] is JsonObject status && status["allocatable"] is null && status["capacity"] is JsonObject capacity)
        {
            status["allocatable"] = capacity.DeepClone();
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var taints = obj["spec"]?["taints"] as JsonArray ?? [];
        for (var i = 0; i < taints.Count; i++)
        {
            var path = $"spec.taints[{i}]";
            if (taints[i]?["key"].AsText() is not { Length: > 0 } key)
            {
                errors.Add(FieldError.Required($"{path}.key"));
            }
            else
            {
                errors.AddRange(ObjectMetaValidation.QualifiedName(key).Select(m => FieldError.Invalid($"{path}.key", key, m)));
            }
            if (taints[i]?["effect"].AsText() is not { Length: > 0 } effect)
            {
                errors.Add(FieldError.Required($"{path}.effect"));
            }
            else if (!s_taintEffects.Contains(effect))
            {
                errors.Add(FieldError.NotSupported($"{path}.effect", effect, s_taintEffects));
            }
        }
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        if (old["spec"]?["podCIDRs"] is JsonArray { Count: > 0 } cidrs && !JsonNode.DeepEquals(cidrs, obj["spec"]?["podCIDRs"]))
        {
            yield return FieldError.Forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid");
        }
        if (old["spec"]?["providerID"].AsText() is { Length: > 0 } provider && provider != obj["spec"]?["providerID"].AsText())
        {
            yield return FieldError.Forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid");
        }
    }

    /// <summary>"Ready", "NotReady" or "Unknown" from the Ready condition, with ",SchedulingDisabled" for a cordoned node.</summary>
    private static string Status(JsonObject obj)
    {
        var ready = (obj["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().LastOrDefault(c => c["type"].AsText() == "Ready");
        var status = ready is null ? "Unknown" : ready["status"].AsText() == "True" ? "Ready" : "NotReady";
        return obj["spec"]?["unschedulable"].AsBool() == true ? status + ",SchedulingDisabled" : status;
    }

    private static string Roles(JsonObject obj)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj["metadata"]?["labels"] as JsonObject ?? [])
        {
            if (key.StartsWith(RoleLabelPrefix, StringComparison.Ordinal) && key.Length > RoleLabelPrefix.Length)
            {
                roles.Add(key[RoleLabelPrefix.Length..]);
            }
            else if (key == RoleLabel && value.AsText() is { Length: > 0 } role)
            {
                roles.Add(role);
            }
        }
        return roles.Count > 0 ? string.Join(",", roles) : "<none>";
    }

    private static string? Info(JsonObject obj, string field) => obj["status"]?["nodeInfo"]?[field].AsText();

    private static string Address(JsonObject obj, string type) =>
        (obj["status"]?["addresses"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(a => a["type"].AsText() == type)?["address"].AsText() ?? "<none>";
}
