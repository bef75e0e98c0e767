using System.Text.Json.Nodes;

namespace Berth.Kube.Authorization;

/// <summary>
/// The ClusterRoles and ClusterRoleBindings every cluster starts with, by kube-apiserver's names: the user-facing
/// roles <c>cluster-admin</c>, <c>admin</c>, <c>edit</c> and <c>view</c>, and the system roles that let any
/// authenticated user discover the API and review their own access.
/// </summary>
internal static class BootstrapPolicy
{
    /// <summary>The workload and configuration resources the user-facing namespaced roles cover.</summary>
    private static readonly (string Group, string[] Resources)[] s_namespaced =
    [
        ("", ["pods", "pods/log", "pods/status", "services", "services/status", "endpoints", "persistentvolumeclaims",
            "persistentvolumeclaims/status", "configmaps", "serviceaccounts", "events", "replicationcontrollers",
            "replicationcontrollers/scale", "resourcequotas", "limitranges", "podtemplates"]),
        ("apps", ["deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status",
            "statefulsets", "statefulsets/scale", "statefulsets/status", "daemonsets", "daemonsets/status", "controllerrevisions"]),
        ("batch", ["jobs", "jobs/status", "cronjobs", "cronjobs/status"]),
        ("autoscaling", ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        ("policy", ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        ("networking.k8s.io", ["ingresses", "ingresses/status", "networkpolicies"]),
        ("discovery.k8s.io", ["endpointslices"]),
        ("coordination.k8s.io", ["leases"]),
        ("events.k8s.io", ["events"]),
    ];

    private static readonly string[] s_read = ["get", "list", "watch"];
    private static readonly string[] s_write = ["create", "delete", "deletecollection", "patch", "update"];

    /// <summary>What metrics-server's <c>system:aggregated-metrics-reader</c> adds to view, edit and admin.</summary>
    private static JsonObject MetricsReader => Rule(["metrics.k8s.io"], ["pods", "nodes"], s_read);

    public static IEnumerable<JsonObject> ClusterRoles()
    {
        yield return Role("cluster-admin",
            Rule(["*"], ["*"], ["*"]),
            new JsonObject { ["nonResourceURLs"] = Strings("*"), ["verbs"] = Strings("*") });
        yield return Role("view", [.. s_namespaced.Select(g => Rule([g.Group], g.Resources, s_read)), Rule([""], ["namespaces", "namespaces/status"], s_read), MetricsReader]);
        yield return Role("edit",
        [
            .. s_namespaced.Select(g => Rule([g.Group], g.Resources, [.. s_read, .. s_write])),
            Rule([""], ["secrets"], [.. s_read, .. s_write]),
            Rule([""], ["pods/exec", "pods/attach", "pods/portforward", "pods/eviction", "serviceaccounts/token"], ["create", "get"]),
            Rule([""], ["namespaces", "namespaces/status"], s_read),
            MetricsReader,
        ]);
        yield return Role("admin",
        [
            .. s_namespaced.Select(g => Rule([g.Group], g.Resources, [.. s_read, .. s_write])),
            Rule([""], ["secrets"], [.. s_read, .. s_write]),
            Rule([""], ["pods/exec", "pods/attach", "pods/portforward", "pods/eviction", "serviceaccounts/token"], ["create", "get"]),
            Rule([""], ["namespaces", "namespaces/status"], s_read),
            MetricsReader,
            Rule(["rbac.authorization.k8s.io"], ["roles", "rolebindings"], [.. s_read, .. s_write]),
            Rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
        ]);
        yield return Role("system:discovery", new JsonObject
        {
            ["nonResourceURLs"] = Strings("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz", "/openapi", "/openapi/*", "/version", "/version/"),
            ["verbs"] = Strings("get"),
        });
        yield return Role("system:basic-user",
            Rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
            Rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]));
        yield return Role("system:public-info-viewer", new JsonObject
        {
            ["nonResourceURLs"] = Strings("/healthz", "/livez", "/readyz", "/version", "/version/"),
            ["verbs"] = Strings("get"),
        });
    }

    public static IEnumerable<JsonObject> ClusterRoleBindings()
    {
        yield return Binding("cluster-admin", "cluster-admin", RbacAuthorizer.MastersGroup);
        yield return Binding("system:discovery", "system:discovery", "system:authenticated");
        yield return Binding("system:basic-user", "system:basic-user", "system:authenticated");
        yield return Binding("system:public-info-viewer", "system:public-info-viewer", "system:authenticated", "system:unauthenticated");
    }

    private static JsonObject Role(string name, params JsonObject[] rules) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRole",
        ["metadata"] = Metadata(name),
        ["rules"] = new JsonArray(rules),
    };

    private static JsonObject Binding(string name, string role, params string[] groups) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = Metadata(name),
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray([.. groups.Select(g => (JsonNode)new JsonObject
        {
            ["apiGroup"] = "rbac.authorization.k8s.io",
            ["kind"] = "Group",
            ["name"] = g,
        })]),
    };

    private static JsonObject Metadata(string name) => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    private static JsonObject Rule(string[] groups, string[] resources, string[] verbs) => new()
    {
        ["apiGroups"] = Strings(groups),
        ["resources"] = Strings(resources),
        ["verbs"] = Strings(verbs),
    };

    private static JsonArray Strings(params string[] values) => new([.. values.Select(v => (JsonNode)v)]);
}
