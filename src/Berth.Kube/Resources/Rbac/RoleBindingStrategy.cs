using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Rbac;

/// <summary>RoleBindings and ClusterRoleBindings: who (subjects) gets which role (roleRef, which never changes).</summary>
internal sealed class RoleBindingStrategy(bool clusterScoped) : IResourceStrategy
{
    public const string RbacGroup = "rbac.authorization.k8s.io";

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Role", "string", "", "The role the binding grants.", 0, (obj, _) => $"{obj["roleRef"]?["kind"].AsText()}/{obj["roleRef"]?["name"].AsText()}"),
        TableColumn.AgeColumn(),
        new("Users", "string", "", "The users the binding names.", 1, (obj, _) => Subjects(obj, "User")),
        new("Groups", "string", "", "The groups the binding names.", 1, (obj, _) => Subjects(obj, "Group")),
        new("ServiceAccounts", "string", "", "The service accounts the binding names.", 1, (obj, _) => Subjects(obj, "ServiceAccount")),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
        foreach (var subject in (obj["subjects"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (subject["kind"].AsText() is "User" or "Group")
            {
                subject["apiGroup"] ??= RbacGroup;
            }
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.PathSegmentName(obj).ToList();
        var roleRef = obj["roleRef"] as JsonObject;
        if (roleRef?["apiGroup"].AsText() != RbacGroup)
        {
            errors.Add(new FieldError("roleRef.apiGroup", "FieldValueNotSupported",
                $"Unsupported value: \"{roleRef?["apiGroup"].AsText()}\": supported values: \"{RbacGroup}\""));
        }
        var kinds = clusterScoped ? new[] { "ClusterRole" } : ["Role", "ClusterRole"];
        if (!kinds.Contains(roleRef?["kind"].AsText()))
        {
            errors.Add(new FieldError("roleRef.kind", "FieldValueNotSupported",
                $"Unsupported value: \"{roleRef?["kind"].AsText()}\": supported values: {string.Join(", ", kinds.Select(k => $"\"{k}\""))}"));
        }
        if (roleRef?["name"].AsText() is not { Length: > 0 })
        {
            errors.Add(FieldError.Required("roleRef.name"));
        }
        var subjects = obj["subjects"] as JsonArray ?? [];
        for (var i = 0; i < subjects.Count; i++)
        {
            var subject = subjects[i] as JsonObject ?? [];
            var path = $"subjects[{i}]";
            var kind = subject["kind"].AsText();
            if (kind is not ("User" or "Group" or "ServiceAccount"))
            {
                errors.Add(new FieldError($"{path}.kind", "FieldValueNotSupported",
                    $"Unsupported value: \"{kind}\": supported values: \"ServiceAccount\", \"User\", \"Group\""));
            }
            if (subject["name"].AsText() is not { Length: > 0 })
            {
                errors.Add(FieldError.Required($"{path}.name"));
            }
            if (kind == "ServiceAccount" && clusterScoped && subject["namespace"].AsText() is not { Length: > 0 })
            {
                errors.Add(FieldError.Required($"{path}.namespace"));
            }
        }
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        var errors = Validate(obj).ToList();
        if (!JsonNode.DeepEquals(obj["roleRef"], old["roleRef"]))
        {
            errors.Add(FieldError.Invalid("roleRef", obj["roleRef"]?.ToJsonString() ?? "", "cannot change roleRef"));
        }
        return errors;
    }

    private static string Subjects(JsonObject obj, string kind)
    {
        var names = (obj["subjects"] as JsonArray ?? []).OfType<JsonObject>().Where(s => s["kind"].AsText() == kind)
            .Select(s => kind == "ServiceAccount" ? $"{s["namespace"].AsText() ?? obj["metadata"]?["namespace"].AsText()}/{s["name"].AsText()}" : s["name"].AsText())
            .ToList();
        return string.Join(", ", names);
    }
}
