using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Berth.Kube.Discovery;
using Berth.Kube.Resources;
using Berth.Kube.Schema;

namespace Berth.Kube.OpenApi;

/// <summary>One published document: its bytes and the hash that names this revision of it.</summary>
internal sealed record PublishedDocument(byte[] Json, string Hash);

/// <summary>
/// The OpenAPI v3 documents kubectl reads before it applies, creates, replaces, edits or explains: a root that
/// names one document per group/version (<c>/openapi/v3</c>), and each of those, with the served kinds' schemas
/// and their REST operations. kubectl finds a kind through the operations' <c>x-kubernetes-group-version-kind</c>,
/// and leaves field validation to the server when the PATCH operation takes <c>fieldValidation</c>.
/// </summary>
internal sealed class OpenApiV3Documents(ResourceRegistry registry, ModelDocumentation documentation)
{
    private volatile Built? _built;

    /// <summary>The documents of the registry as it is now, built again when a CRD has changed what is served.</summary>
    private Dictionary<string, PublishedDocument> Documents
    {
        get
        {
            var generation = registry.Generation;
            if (_built is { } built && built.Generation == generation)
            {
                return built.Documents;
            }
            var documents = Build(registry, documentation);
            _built = new Built(generation, documents);
            return documents;
        }
    }

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

    private sealed record Built(long Generation, Dictionary<string, PublishedDocument> Documents);

    private static Dictionary<string, PublishedDocument> Build(ResourceRegistry registry, ModelDocumentation documentation)
    {
        var documents = new Dictionary<string, PublishedDocument>(StringComparer.Ordinal);
        foreach (var (group, version) in registry.GroupVersions)
        {
            var types = registry.Types.Where(t => t.Group == group && t.Version == version).ToList();
            var json = GroupVersionDocument(types, new SchemaWriter(documentation)).ToJsonString();
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            documents[group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}"] =
                new PublishedDocument(bytes, Convert.ToHexString(SHA512.HashData(bytes)));
        }
        return documents;
    }

    private static JsonObject GroupVersionDocument(IReadOnlyList<ResourceType> types, SchemaWriter schemas)
    {
        var paths = new JsonObject();
        foreach (var type in types)
        {
            var kind = schemas.Add(type.Schema);
            var list = ClientModelSchemas.Shared.ForKind(type.Group, type.Version, type.ListKind) is { } listSchema ? schemas.Add(listSchema) : null;
            new ResourcePaths(type, kind, list).AddTo(paths);
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
