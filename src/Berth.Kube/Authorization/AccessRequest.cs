using Berth.Kube.Api;
using Berth.Kube.Authentication;

namespace Berth.Kube.Authorization;

/// <summary>
/// What a request wants to do, as an authorizer sees it: a verb on a resource (group, resource, subresource,
/// namespace, name), or a verb on a non-resource path such as <c>/apis</c>.
/// </summary>
internal sealed record AccessRequest(
    KubeUser User,
    string Verb,
    bool IsResourceRequest,
    string Group,
    string Resource,
    string? Subresource,
    string? Namespace,
    string? Name,
    string Path)
{
    public static AccessRequest ForResource(KubeUser user, RequestInfo request) =>
        new(user, request.Verb, true, request.Group, request.Resource, request.Subresource, request.Namespace, request.Name, "");

    public static AccessRequest ForPath(KubeUser user, string method, string path) =>
        new(user, method.ToLowerInvariant() switch { "head" => "get", var m => m }, false, "", "", null, null, null, path);

    /// <summary>The resource as RBAC rules name it: <c>pods</c>, or <c>pods/log</c> for a subresource.</summary>
    public string QualifiedResource => Subresource is null ? Resource : $"{Resource}/{Subresource}";

    /// <summary>kube-apiserver's 403 for a request that no rule allows.</summary>
    public KubeApiException Forbidden()
    {
        var who = $"User \"{User.Name}\"";
        if (!IsResourceRequest)
        {
            return new KubeApiException(403, "Forbidden", $"forbidden: {who} cannot {Verb} path \"{Path}\"");
        }
        var scope = Namespace is null ? "at the cluster scope" : $"in the namespace \"{Namespace}\"";
        var subject = Name is null ? Resource : $"{Resource} \"{Name}\"";
        return new KubeApiException(403, "Forbidden",
            $"{subject} is forbidden: {who} cannot {Verb} resource \"{QualifiedResource}\" in API group \"{Group}\" {scope}",
            new System.Text.Json.Nodes.JsonObject { ["name"] = Name ?? "", ["group"] = Group, ["kind"] = Resource });
    }
}
