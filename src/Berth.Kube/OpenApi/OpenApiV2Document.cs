using System.Text.Json.Nodes;
using Berth.Kube.Discovery;
using Berth.Kube.Resources;

namespace Berth.Kube.OpenApi;

/// <summary>
/// The Swagger 2.0 document at <c>/openapi/v2</c>: every served kind in one document, written from the same schemas
/// and operations as the v3 documents, with kube-apiserver's definition names (<c>io.k8s.api.apps.v1.Deployment</c>).
/// Clients that still read v2 (older kubectl, client libraries, tooling that generates from it) find what v3 has.
/// </summary>
internal sealed class OpenApiV2Document(ResourceRegistry registry, ModelDocumentation documentation)
{
    private readonly RegistryDerived<PublishedDocument> _document = new(registry, r => Build(r, documentation));

    /// <summary>The document of the registry as it is now, built again when a CRD has changed what is served.</summary>
    public PublishedDocument Current => _document.Value;

    private static PublishedDocument Build(ResourceRegistry registry, ModelDocumentation documentation)
    {
        var schemas = new SchemaWriter(documentation, OpenApiFormat.V2);
        var paths = new JsonObject();
        foreach (var (group, version) in registry.GroupVersions)
        {
            foreach (var type in registry.Types.Where(t => t.Group == group && t.Version == version))
            {
                ResourcePaths.AddKind(paths, schemas, type);
            }
        }
        var document = new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = DiscoveryDocuments.KubernetesVersion },
            ["paths"] = Sorted(paths),
            ["definitions"] = Sorted(schemas.Components),
            ["securityDefinitions"] = new JsonObject
            {
                ["BearerToken"] = new JsonObject
                {
                    ["description"] = "Bearer Token authentication",
                    ["type"] = "apiKey",
                    ["name"] = "authorization",
                    ["in"] = "header",
                },
            },
            ["security"] = new JsonArray(new JsonObject { ["BearerToken"] = new JsonArray() }),
        };
        return PublishedDocument.Of(System.Text.Encoding.UTF8.GetBytes(document.ToJsonString()));
    }

    /// <summary>The members of <paramref name="map"/> in name order, as Go writes a map, so the one document reads in order.</summary>
    private static JsonObject Sorted(JsonObject map)
    {
        var members = map.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        map.Clear();
        var sorted = new JsonObject();
        foreach (var (name, value) in members)
        {
            sorted[name] = value;
        }
        return sorted;
    }
}
