using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Kube.Resources;

namespace Berth.Kube.Discovery;

/// <summary>
/// Aggregated discovery (<c>apidiscovery.k8s.io</c>): <c>/api</c> and <c>/apis</c> each as one
/// <c>APIGroupDiscoveryList</c> naming every group, version, resource and subresource, so that a client learns
/// the whole API in two requests. Built again whenever the registry changes; each document carries the
/// uppercase hex SHA-512 of its v2 bytes as its ETag, as kube-apiserver's does.
/// </summary>
internal sealed class AggregatedDiscovery(ResourceRegistry registry)
{
    public const string Group = "apidiscovery.k8s.io";
    public const string ListKind = "APIGroupDiscoveryList";

    /// <summary>The versions of the list served, newest first.</summary>
    public static readonly IReadOnlyList<string> Versions = ["v2", "v2beta1"];

    private readonly RegistryDerived<Built> _built = new(registry, Build);

    /// <summary>The document of <c>/api</c> (the legacy core group) or of <c>/apis</c> (every named group).</summary>
    public AggregatedDocument Document(bool legacy) => legacy ? _built.Value.Api : _built.Value.Apis;

    private sealed record Built(AggregatedDocument Api, AggregatedDocument Apis);

    private static Built Build(ResourceRegistry registry) => new(
        Publish(registry.GroupVersions.Any(gv => gv.Group.Length == 0) ? [GroupEntry(registry, "")] : []),
        Publish([.. DiscoveryDocuments.NamedGroups(registry).Select(g => GroupEntry(registry, g))]));

    private static AggregatedDocument Publish(JsonObject[] groups)
    {
        var bytes = Versions.ToDictionary(v => v, v => System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["kind"] = ListKind,
            ["apiVersion"] = $"{Group}/{v}",
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray([.. groups.Select(g => g.DeepClone())]),
        }.ToJsonString()));
        return new AggregatedDocument(bytes, Convert.ToHexString(SHA512.HashData(bytes["v2"])));
    }

    /// <summary>One group, its versions in order of preference (the first is preferred, as in the legacy documents).</summary>
    private static JsonObject GroupEntry(ResourceRegistry registry, string group) => new()
    {
        ["metadata"] = group.Length == 0 ? new JsonObject() : new JsonObject { ["name"] = group },
        ["versions"] = new JsonArray([.. registry.GroupVersions.Where(gv => gv.Group == group).Select(gv => (JsonNode)new JsonObject
        {
            ["version"] = gv.Version,
            ["resources"] = new JsonArray([.. DiscoveryDocuments.ServedIn(registry, group, gv.Version).Select(t => (JsonNode)Resource(t))]),
            ["freshness"] = "Current",
        })]),
    };

    private static JsonObject Resource(ResourceType type)
    {
        var resource = new JsonObject
        {
            ["resource"] = type.Plural,
            ["responseKind"] = Kind(type.Group, type.Version, type.Kind),
            ["scope"] = type.Namespaced ? "Namespaced" : "Cluster",
            ["singularResource"] = type.Singular,
            ["verbs"] = DiscoveryDocuments.Strings(type.Verbs),
        };
        if (type.ShortNames.Count > 0)
        {
            resource["shortNames"] = DiscoveryDocuments.Strings(type.ShortNames);
        }
        if (type.Categories.Count > 0)
        {
            resource["categories"] = DiscoveryDocuments.Strings(type.Categories);
        }
        var subresources = DiscoveredSubresource.Of(type).Select(s => (JsonNode)new JsonObject
        {
            ["subresource"] = s.Name,
            ["responseKind"] = Kind(s.ResponseKind.Group, s.ResponseKind.Version, s.ResponseKind.Kind),
            ["verbs"] = DiscoveryDocuments.Strings(s.Verbs),
        }).ToArray();
        if (subresources.Length > 0)
        {
            resource["subresources"] = new JsonArray(subresources);
        }
        return resource;
    }

    private static JsonObject Kind(string group, string version, string kind) =>
        new() { ["group"] = group, ["version"] = version, ["kind"] = kind };
}
