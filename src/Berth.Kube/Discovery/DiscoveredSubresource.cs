using Berth.Kube.Resources;
using Berth.Kube.Schema;

namespace Berth.Kube.Discovery;

/// <summary>A subresource as discovery lists it: its name, the kind its answers carry, and the verbs it serves.</summary>
internal sealed record DiscoveredSubresource(string Name, GroupVersionKind ResponseKind, IReadOnlyList<string> Verbs)
{
    private static readonly IReadOnlyList<string> s_readWrite = ["get", "patch", "update"];

    /// <summary>The subresources the handler serves for <paramref name="type"/>, by name.</summary>
    public static IEnumerable<DiscoveredSubresource> Of(ResourceType type)
    {
        if (type.Group.Length == 0 && type.Kind == "Pod")
        {
            yield return new DiscoveredSubresource("binding", new GroupVersionKind("", "v1", "Binding"), ["create"]);
            yield return new DiscoveredSubresource("eviction", new GroupVersionKind("policy", "v1", "Eviction"), ["create"]);
            yield return new DiscoveredSubresource("exec", new GroupVersionKind("", "v1", "PodExecOptions"), ["create", "get"]);
            yield return new DiscoveredSubresource("log", new GroupVersionKind("", "v1", "Pod"), ["get"]);
            yield return new DiscoveredSubresource("portforward", new GroupVersionKind("", "v1", "PodPortForwardOptions"), ["create", "get"]);
        }
        if (type.Strategy.Scale is not null)
        {
            yield return new DiscoveredSubresource("scale", new GroupVersionKind("autoscaling", "v1", "Scale"), s_readWrite);
        }
        if (type.Strategy.HasStatus)
        {
            yield return new DiscoveredSubresource("status", new GroupVersionKind(type.Group, type.Version, type.Kind), s_readWrite);
        }
        if (type.Group.Length == 0 && type.Kind == "ServiceAccount")
        {
            yield return new DiscoveredSubresource("token", new GroupVersionKind("authentication.k8s.io", "v1", "TokenRequest"), ["create"]);
        }
    }
}
