using System.Text.Json.Nodes;
using Berth.Kube.Resources;

namespace Berth.Kube.Discovery;

/// <summary>The legacy discovery documents: /version, /api, /api/v1, /apis, /apis/{group}, /apis/{group}/{version}.</summary>
internal sealed class DiscoveryDocuments(ResourceRegistry registry)
{
    /// <summary>The Kubernetes release whose API Berth serves.</summary>
    public const string KubernetesVersion = "v1.32.0";

    /// <summary>The document for <paramref name="path"/> (relative to the cluster's base), or null if it is not a discovery path.</summary>
    public JsonObject? Find(string path, string serverAddress) => path.Trim('/').Split('/') switch
    {
        ["version"] => Version(),
        ["api"] => new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
        },
        ["api", "v1"] => ResourceList("", "v1"),
        ["apis"] => new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray([.. Groups().Select(g => (JsonNode)Group(g))]),
        },
        ["apis", var group] when Groups().Contains(group) => Group(group),
        ["apis", var group, var version] when registry.GroupVersions.Contains((group, version)) => ResourceList(group, version),
        _ => null,
    };

    private static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = KubernetesVersion,
        ["gitCommit"] = "",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "",
        ["compiler"] = "berth",
        ["platform"] = $"{(OperatingSystem.IsLinux() ? "linux" : "unknown")}/{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}",
    };

    private IEnumerable<string> Groups() =>
        registry.GroupVersions.Where(gv => gv.Group.Length > 0).Select(gv => gv.Group).Distinct();

    private JsonObject Group(string group)
    {
        var versions = registry.GroupVersions.Where(gv => gv.Group == group)
            .Select(gv => new JsonObject { ["groupVersion"] = $"{group}/{gv.Version}", ["version"] = gv.Version }).ToList();
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions]),
            ["preferredVersion"] = versions[0].DeepClone(),
        };
    }

    private JsonObject ResourceList(string group, string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
        ["resources"] = new JsonArray([.. registry.Types.Where(t => t.Group == group && t.Version == version).SelectMany(Resources)]),
    };

    /// <summary>A kind's entry, then one for each of its subresources, as kube-apiserver lists them.</summary>
    private static IEnumerable<JsonNode> Resources(ResourceType type)
    {
        yield return Resource(type);
        if (type.Strategy.HasStatus)
        {
            yield return Subresource(type, "status", type.Kind, null, null);
        }
        if (type.Strategy.Scale is not null)
        {
            yield return Subresource(type, "scale", "Scale", "autoscaling", "v1");
        }
        if (type.Group.Length == 0 && type.Kind == "ServiceAccount")
        {
            yield return Subresource(type, "token", "TokenRequest", "authentication.k8s.io", "v1", ["create"]);
        }
    }

    private static JsonObject Subresource(ResourceType type, string name, string kind, string? group, string? version, string[]? verbs = null)
    {
        var resource = new JsonObject
        {
            ["name"] = $"{type.Plural}/{name}",
            ["singularName"] = "",
            ["namespaced"] = type.Namespaced,
            ["kind"] = kind,
            ["verbs"] = new JsonArray([.. (verbs ?? ["get", "patch", "update"]).Select(v => (JsonNode)v)]),
        };
        if (group is not null)
        {
            resource["group"] = group;
            resource["version"] = version;
        }
        return resource;
    }

    private static JsonObject Resource(ResourceType type)
    {
        var resource = new JsonObject
        {
            ["name"] = type.Plural,
            ["singularName"] = type.Singular,
            ["namespaced"] = type.Namespaced,
            ["kind"] = type.Kind,
            ["verbs"] = new JsonArray([.. type.Verbs.Select(v => (JsonNode)v)]),
        };
        if (type.ShortNames.Count > 0)
        {
            resource["shortNames"] = new JsonArray([.. type.ShortNames.Select(n => (JsonNode)n)]);
        }
        return resource;
    }
}
