using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Authentication;

namespace Berth.Kube.Authorization;

/// <summary>An authorizer's answer, with the reason kube-apiserver gives in access reviews.</summary>
internal readonly record struct Decision(bool Allowed, string Reason);

/// <summary>
/// Role-based access control as kube-apiserver's RBAC authorizer decides it: a request is allowed when a
/// ClusterRoleBinding, or a RoleBinding in the request's namespace, binds a subject the user is (user, group or
/// service account) to a role with a rule that covers the request. Members of <c>system:masters</c> may do
/// anything, whatever the bindings say, as kube-apiserver's privileged group may.
/// </summary>
internal sealed class RbacAuthorizer(RbacPolicy policy)
{
    public const string MastersGroup = "system:masters";

    public async ValueTask<Decision> AuthorizeAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (request.User.Groups.Contains(MastersGroup))
        {
            return new Decision(true, "");
        }
        await policy.WaitSyncedAsync(cancellationToken);
        foreach (var binding in policy.ClusterRoleBindings)
        {
            if (Binds(binding, request.User, null) && Allows(policy.ClusterRole(RoleName(binding)), request))
            {
                return new Decision(true, $"RBAC: allowed by ClusterRoleBinding \"{Name(binding)}\" of ClusterRole \"{RoleName(binding)}\" to {request.User.Name}");
            }
        }
        if (request.Namespace is { } ns)
        {
            foreach (var binding in policy.RoleBindings(ns))
            {
                var role = binding["roleRef"]?["kind"].AsText() == "Role" ? policy.Role(ns, RoleName(binding)) : policy.ClusterRole(RoleName(binding));
                if (Binds(binding, request.User, ns) && Allows(role, request))
                {
                    return new Decision(true, $"RBAC: allowed by RoleBinding \"{Name(binding)}/{ns}\" of {binding["roleRef"]?["kind"].AsText()} \"{RoleName(binding)}\" to {request.User.Name}");
                }
            }
        }
        foreach (var grant in request.User.Grants ?? [])
        {
            // granted by the identity's provider (EKS access policies), in the whole cluster or in the namespaces named
            if ((grant.Namespaces is null || (request.Namespace is { } inNamespace && grant.Namespaces.Contains(inNamespace)))
                && Allows(policy.ClusterRole(grant.ClusterRole), request))
            {
                return new Decision(true, $"allowed by the access policy granting ClusterRole \"{grant.ClusterRole}\" to {request.User.Name}");
            }
        }
        return new Decision(false, "");
    }

    private static bool Binds(JsonObject binding, KubeUser user, string? bindingNamespace) =>
        (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(subject => subject["kind"].AsText() switch
        {
            "User" => subject["name"].AsText() == user.Name,
            "Group" => user.Groups.Contains(subject["name"].AsText() ?? ""),
            "ServiceAccount" => user.Name == $"system:serviceaccount:{subject["namespace"].AsText() ?? bindingNamespace}:{subject["name"].AsText()}",
            _ => false,
        });

    private static bool Allows(JsonObject? role, AccessRequest request) =>
        role is not null && (role["rules"] as JsonArray ?? []).OfType<JsonObject>().Any(rule => Covers(rule, request));

    /// <summary>Whether one policy rule covers the request, with RBAC's wildcards.</summary>
    public static bool Covers(JsonObject rule, AccessRequest request)
    {
        if (!Has(rule["verbs"], request.Verb))
        {
            return false;
        }
        if (!request.IsResourceRequest)
        {
            return (rule["nonResourceURLs"] as JsonArray ?? []).Select(u => u.AsText()).OfType<string>().Any(url =>
                url == "*" || url == request.Path || (url.EndsWith('*') && request.Path.StartsWith(url[..^1], StringComparison.Ordinal)));
        }
        if (!Has(rule["apiGroups"], request.Group))
        {
            return false;
        }
        var resources = (rule["resources"] as JsonArray ?? []).Select(r => r.AsText()).OfType<string>().ToList();
        var resourceMatches = resources.Contains("*") || resources.Contains(request.QualifiedResource)
            || (request.Subresource is { } sub && resources.Contains("*/" + sub));
        if (!resourceMatches)
        {
            return false;
        }
        var names = (rule["resourceNames"] as JsonArray ?? []).Select(n => n.AsText()).OfType<string>().ToList();
        return names.Count == 0 || (request.Name is { } name && names.Contains(name));
    }

    private static bool Has(JsonNode? list, string value) =>
        (list as JsonArray ?? []).Select(v => v.AsText()).Any(v => v == "*" || v == value);

    private static string Name(JsonObject obj) => obj["metadata"]?["name"].AsText() ?? "";

    private static string RoleName(JsonObject binding) => binding["roleRef"]?["name"].AsText() ?? "";
}
