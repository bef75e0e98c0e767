using System.Text.Json.Nodes;
using Berth.Kube.Discovery;
using Berth.Kube.Resources;

namespace Berth.Kube.OpenApi;

/// <summary>
/// The OpenAPI v3 documents kubectl reads before it applies, creates, replaces, edits or explains: a root that
/// names one document per group/version (<c>/openapi/v3</c>), and each of those, with the served kinds' schemas
/// and their REST operations. kubectl finds a kind through the operations' <c>x-kubernetes-group-version-kind</c>,
/// and leaves field validation to the server when the PATCH operation takes <c>fieldValidation</c>.
/// </summary>
internal sealed class OpenApiV3Documents(ResourceRegistry registry, ModelDocumentation documentation)
{
    private readonly RegistryDerived<Dictionary<string, PublishedDocument>> _documents = new(registry, r => Build(r, documentation));

    /// <summary>The documents of the registry as it is now, built again when a CRD has changed what is served.</summary>
    private Dictionary<string, PublishedDocument> Documents => _documents.Value;

    /// <summary>The root document, naming each group/version document by its path and current hash.</summary>
    public JsonObject Root()
    {
        var paths = new JsonObject();
        foreach (var (path, document) in Documents.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={document.Hash}" };
        }
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document of a group/version path such as <c>api/v1</c> or <c>apis/apps/v1</c>, or null.</summary>
    public PublishedDocument? Find(string path) => Documents.GetValueOrDefault(path);

    private static Dictionary<string, PublishedDocument> Build(ResourceRegistry registry, ModelDocumentation documentation)
    {
        var documents = new Dictionary<string, PublishedDocument>(StringComparer.Ordinal);
        foreach (var (group, version) in registry.GroupVersions)
        {
            var types = registry.Types.Where(t => t.Group == group && t.Version == version).ToList();
            var json = GroupVersionDocument(types, new SchemaWriter(documentation, OpenApiFormat.V3)).ToJsonString();
            documents[group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}"] = PublishedDocument.Of(System.Text.Encoding.UTF8.GetBytes(json));
        }
        return documents;
    }

    private static JsonObject GroupVersionDocument(IReadOnlyList<ResourceType> types, SchemaWriter schemas)
    {
        var paths = new JsonObject();
        foreach (var type in types)
        {
            ResourcePaths.AddKind(paths, schemas, type);
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = DiscoveryDocuments.KubernetesVersion },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas.Components },
        };
    }
}
