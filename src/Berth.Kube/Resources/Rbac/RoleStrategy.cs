using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Rbac;

/// <summary>Roles and ClusterRoles: lists of policy rules, checked as kube-apiserver checks them.</summary>
internal sealed class RoleStrategy(bool clusterScoped) : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Created At", "date", "", "The time the role was created.", 0, (obj, _) => obj["metadata"]?["creationTimestamp"].AsText()),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.PathSegmentName(obj).ToList();
        var rules = obj["rules"] as JsonArray ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            var path = $"rules[{i}]";
            var rule = rules[i] as JsonObject ?? [];
            if (rule["verbs"] is not JsonArray { Count: > 0 })
            {
                errors.Add(FieldError.Required($"{path}.verbs"));
            }
            if (rule["nonResourceURLs"] is JsonArray { Count: > 0 })
            {
                if (!clusterScoped)
                {
                    errors.Add(new FieldError($"{path}.nonResourceURLs", "FieldValueInvalid",
                        "Invalid value: []string{...}: namespaced rules cannot apply to non-resource URLs"));
                }
                if (rule["apiGroups"] is JsonArray { Count: > 0 } || rule["resources"] is JsonArray { Count: > 0 })
                {
                    errors.Add(new FieldError($"{path}.nonResourceURLs", "FieldValueInvalid",
                        "Invalid value: []string{...}: rules cannot apply to both regular resources and non-resource URLs"));
                }
                continue;
            }
            if (rule["apiGroups"] is not JsonArray { Count: > 0 })
            {
                errors.Add(FieldError.Required($"{path}.apiGroups"));
            }
            if (rule["resources"] is not JsonArray { Count: > 0 })
            {
                errors.Add(FieldError.Required($"{path}.resources"));
            }
        }
        return errors;
    }
}
