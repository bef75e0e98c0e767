namespace Berth.Kube.Api;

/// <summary>
/// What a request under a cluster's base path asks for, parsed the way kube-apiserver parses it:
/// <c>/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}</c> and the same under <c>/apis/{group}/{version}</c>.
/// </summary>
internal sealed record RequestInfo(
    string Verb,
    string Group,
    string Version,
    string Resource,
    string? Namespace,
    string? Name,
    string? Subresource)
{
    /// <summary>
    /// Whether the request may stay open indefinitely (a watch, or streaming logs, exec, attach or port forwarding), as
    /// kube-apiserver's long-running request check says: such requests are ended when the server stops, not waited for.
    /// </summary>
    public bool IsLongRunning => Verb == "watch" || Subresource is "log" or "exec" or "attach" or "portforward" or "proxy";

    /// <summary>Subresources of a namespace, which share the namespace's own path.</summary>
    private static readonly HashSet<string> s_namespaceSubresources = ["status", "finalize"];

    /// <summary>Parses a resource path, or returns null when the path names no resource.</summary>
    public static RequestInfo? Parse(string method, string path, bool watch)
    {
        var parts = path.Trim('/').Split('/');
        string group, version;
        int rest;
        if (parts is ["api", var v, _, ..])
        {
            (group, version, rest) = ("", v, 2);
        }
        else if (parts is ["apis", var g, var v2, _, ..])
        {
            (group, version, rest) = (g, v2, 3);
        }
        else
        {
            return null;
        }

        var segments = parts[rest..];
        string? ns = null;
        if (segments is ["namespaces", var n, var next, ..] && !s_namespaceSubresources.Contains(next))
        {
            ns = n;
            segments = segments[2..];
        }
        if (segments.Length is 0 or > 3 || segments.Any(string.IsNullOrEmpty))
        {
            return null;
        }
        var resource = segments[0];
        var name = segments.Length > 1 ? segments[1] : null;
        var subresource = segments.Length > 2 ? segments[2] : null;
        if (resource == "namespaces" && name is not null)
        {
            ns = name;
        }
        var verb = method switch
        {
            "GET" or "HEAD" => name is not null ? "get" : watch ? "watch" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is not null ? "delete" : "deletecollection",
            _ => method.ToLowerInvariant(),
        };
        return new RequestInfo(verb, group, version, resource, ns, name, subresource);
    }
}
