using System.Text.Json.Nodes;
using Berth.Kube.Resources;

namespace Berth.Kube.Discovery;

/// <summary>
/// The legacy discovery documents: /version, /api, /api/v1, /apis, /apis/{group}, /apis/{group}/{version}; and the
/// pieces the aggregated documents (<see cref="AggregatedDiscovery"/>) share with them, so both list the same.
/// </summary>
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

    private IEnumerable<string> Groups() => NamedGroups(registry);

    /// <summary>The named groups served (every group but the legacy core), in the registry's stable order.</summary>
    public static IEnumerable<string> NamedGroups(ResourceRegistry registry) =>
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
        ["resources"] = new JsonArray([.. ServedIn(registry, group, version).SelectMany(Resources)]),
    };

    /// <summary>The resources of one group/version, ordered by name as kube-apiserver installs them.</summary>
    public static IEnumerable<ResourceType> ServedIn(ResourceRegistry registry, string group, string version) =>
        registry.Types.Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Plural, StringComparer.Ordinal);

    /// <summary>Words as a JSON array of strings.</summary>
    public static JsonArray Strings(IEnumerable<string> words) => new([.. words.Select(w => (JsonNode)w)]);

    /// <summary>A kind's entry, then one for each of its subresources, as kube-apiserver lists them.</summary>
    private static IEnumerable<JsonNode> Resources(ResourceType type) =>
        DiscoveredSubresource.Of(type).Select(s => Subresource(type, s)).Prepend(Resource(type));

    /// <summary>A subresource's entry; its group and version are named only where they differ from the resource's.</summary>
    private static JsonObject Subresource(ResourceType type, DiscoveredSubresource subresource)
    {
        var entry = new JsonObject
        {
            ["name"] = $"{type.Plural}/{subresource.Name}",
            ["singularName"] = "",
            ["namespaced"] = type.Namespaced,
        };
        if ((subresource.ResponseKind.Group, subresource.ResponseKind.Version) != (type.Group, type.Version))
        {
            entry["group"] = subresource.ResponseKind.Group;
            entry["version"] = subresource.ResponseKind.Version;
        }
        entry["kind"] = subresource.ResponseKind.Kind;
        entry["verbs"] = Strings(subresource.Verbs);
        return entry;
    }

    private static JsonObject Resource(ResourceType type)
    {
        var resource = new JsonObject
        {
            ["name"] = type.Plural,
            ["singularName"] = type.Singular,
            ["namespaced"] = type.Namespaced,
            ["kind"] = type.Kind,
            ["verbs"] = Strings(type.Verbs),
        };
        if (type.ShortNames.Count > 0)
        {
            resource["shortNames"] = Strings(type.ShortNames);
        }
        if (type.Categories.Count > 0)
        {
            resource["categories"] = Strings(type.Categories);
        }
        return resource;
    }
}
