using System.Text.Json.Nodes;
using Berth.Kube.Resources;
using Berth.Kube.Schema;

namespace Berth.Kube.OpenApi;

/// <summary>The REST operations of one resource as OpenAPI v3 paths: the verbs the handler serves, and no others.</summary>
internal sealed class ResourcePaths(ResourceType type, string kindSchema, string? listSchema)
{
    public void AddTo(JsonObject paths)
    {
        var prefix = type.Group.Length == 0 ? $"/api/{type.Version}" : $"/apis/{type.Group}/{type.Version}";
        var scope = type.Namespaced ? "Namespaced" : "";
        var collection = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}" : $"{prefix}/{type.Plural}";
        var item = collection + "/{name}";
        if (type.Strategy.CreateOnly)
        {
            paths[collection] = new JsonObject
            {
                ["post"] = Operation("post", $"create{scope}{type.Kind}", $"create a {type.Kind}", kindSchema, Writes(), body: true),
                ["parameters"] = PathParameters(named: false),
            };
            return;
        }
        paths[collection] = new JsonObject
        {
            ["get"] = Operation("list", $"list{scope}{type.Kind}", $"list or watch objects of kind {type.Kind}", listSchema, WithSelectors()),
            ["post"] = Operation("post", $"create{scope}{type.Kind}", $"create a {type.Kind}", kindSchema, Writes(), body: true),
            ["parameters"] = PathParameters(named: false),
        };
        paths[item] = new JsonObject
        {
            ["get"] = Operation("get", $"read{scope}{type.Kind}", $"read the specified {type.Kind}", kindSchema, []),
            ["put"] = Operation("put", $"replace{scope}{type.Kind}", $"replace the specified {type.Kind}", kindSchema, Writes(), body: true),
            ["patch"] = Operation("patch", $"patch{scope}{type.Kind}", $"partially update the specified {type.Kind}", kindSchema, [.. Writes(), Query("force", "boolean", "Force is going to \"force\" Apply requests.")], patch: true),
            ["delete"] = Operation("delete", $"delete{scope}{type.Kind}", $"delete a {type.Kind}", kindSchema, [Query("dryRun", "string", "When present, indicates that modifications should not be persisted.")]),
            ["parameters"] = PathParameters(named: true),
        };
        if (type.Namespaced)
        {
            paths[$"{prefix}/{type.Plural}"] = new JsonObject
            {
                ["get"] = Operation("list", $"list{type.Kind}ForAllNamespaces", $"list or watch objects of kind {type.Kind}", listSchema, WithSelectors()),
            };
        }
        if (type.Strategy.HasStatus)
        {
            paths[item + "/status"] = new JsonObject
            {
                ["get"] = Operation("get", $"read{scope}{type.Kind}Status", $"read status of the specified {type.Kind}", kindSchema, []),
                ["put"] = Operation("put", $"replace{scope}{type.Kind}Status", $"replace status of the specified {type.Kind}", kindSchema, Writes(), body: true),
                ["patch"] = Operation("patch", $"patch{scope}{type.Kind}Status", $"partially update status of the specified {type.Kind}", kindSchema, Writes(), patch: true),
                ["parameters"] = PathParameters(named: true),
            };
        }
    }

    private JsonObject Operation(string action, string id, string summary, string? schema, JsonNode[] parameters, bool body = false, bool patch = false)
    {
        var content = new JsonObject();
        foreach (var mediaType in new[] { "application/json" })
        {
            content[mediaType] = schema is null ? new JsonObject() : new JsonObject { ["schema"] = Ref(schema) };
        }
        var operation = new JsonObject
        {
            ["tags"] = new JsonArray(Tag()),
            ["description"] = summary,
            ["operationId"] = OperationId(id),
            ["parameters"] = new JsonArray(parameters),
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject { ["description"] = "OK", ["content"] = content.DeepClone() },
                ["401"] = new JsonObject { ["description"] = "Unauthorized" },
            },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = SchemaWriter.Gvk(new GroupVersionKind(type.Group, type.Version, type.Kind)),
        };
        if (action == "post")
        {
            ((JsonObject)operation["responses"]!)["201"] = new JsonObject { ["description"] = "Created", ["content"] = content.DeepClone() };
        }
        if (body || patch)
        {
            var bodyContent = new JsonObject();
            var mediaTypes = patch
                ? new[] { "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json" }
                : ["application/json"];
            foreach (var mediaType in mediaTypes)
            {
                bodyContent[mediaType] = new JsonObject
                {
                    ["schema"] = patch ? new JsonObject { ["type"] = "object" } : Ref(schema!),
                };
            }
            operation["requestBody"] = new JsonObject { ["content"] = bodyContent, ["required"] = true };
        }
        return operation;
    }

    /// <summary>kube-apiserver's operation ids: <c>listAppsV1NamespacedDeployment</c> from <c>listNamespacedDeployment</c>.</summary>
    private string OperationId(string id)
    {
        var verbLength = id.TakeWhile(char.IsLower).Count();
        var group = type.Group.Length == 0 ? "Core" : string.Concat(type.Group.Replace(".k8s.io", "", StringComparison.Ordinal)
            .Split('.').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        return id[..verbLength] + group + char.ToUpperInvariant(type.Version[0]) + type.Version[1..] + id[verbLength..];
    }

    private string Tag() => (type.Group.Length == 0 ? "core" : type.Group.Split('.')[0]) + "_" + type.Version;

    private static JsonObject Ref(string schema) => new() { ["$ref"] = SchemaWriter.Reference(schema) };

    private static JsonNode[] WithSelectors() =>
    [
        Query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels."),
        Query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."),
        Query("limit", "integer", "The maximum number of objects to return in one page."),
        Query("continue", "string", "The continue token of the previous page."),
        Query("resourceVersion", "string", "The resource version the list or watch starts from."),
        Query("resourceVersionMatch", "string", "How resourceVersion is applied to a list: Exact or NotOlderThan."),
        Query("watch", "boolean", "Watch for changes instead of listing."),
        Query("allowWatchBookmarks", "boolean", "Asks a watch for BOOKMARK events."),
        Query("timeoutSeconds", "integer", "How long a list or watch may run."),
    ];

    private static JsonNode[] Writes() =>
    [
        Query("dryRun", "string", "When present, indicates that modifications should not be persisted."),
        Query("fieldManager", "string", "The name of the actor making the change."),
        Query("fieldValidation", "string", "What to do with fields the kind does not have: Ignore, Warn (the default) or Strict."),
    ];

    private JsonArray PathParameters(bool named)
    {
        var parameters = new JsonArray();
        if (named)
        {
            parameters.Add(PathParameter("name", $"name of the {type.Kind}"));
        }
        if (type.Namespaced)
        {
            parameters.Add(PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        }
        parameters.Add(Query("pretty", "string", "If 'true', then the output is pretty printed."));
        return parameters;
    }

    private static JsonObject PathParameter(string name, string description) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["description"] = description,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonObject Query(string name, string type, string description) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };
}
