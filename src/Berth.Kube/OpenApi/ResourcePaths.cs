using System.Text.Json.Nodes;
using Berth.Kube.Resources;
using Berth.Kube.Schema;

namespace Berth.Kube.OpenApi;

/// <summary>
/// The REST operations of one resource as OpenAPI paths, v2 or v3 as <paramref name="schemas"/> writes: the verbs the
/// handler serves, and no others.
/// </summary>
internal sealed class ResourcePaths(ResourceType type, SchemaWriter schemas, string kindSchema, string? listSchema)
{
    private bool V2 => schemas.Format == OpenApiFormat.V2;

    /// <summary>Writes the kind's schema (and its list's) with <paramref name="schemas"/>, and its operations into <paramref name="paths"/>.</summary>
    public static void AddKind(JsonObject paths, SchemaWriter schemas, ResourceType type)
    {
        var kind = schemas.Add(type.Schema);
        var list = ClientModelSchemas.Shared.ForKind(type.Group, type.Version, type.ListKind) is { } listSchema ? schemas.Add(listSchema) : null;
        new ResourcePaths(type, schemas, kind, list).AddTo(paths);
    }

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
        // a kind the server computes is only read
        var writable = !type.Strategy.Computed;
        var collectionOperations = new JsonObject
        {
            ["get"] = Operation("list", $"list{scope}{type.Kind}", $"list or watch objects of kind {type.Kind}", listSchema, WithSelectors()),
        };
        var itemOperations = new JsonObject
        {
            ["get"] = Operation("get", $"read{scope}{type.Kind}", $"read the specified {type.Kind}", kindSchema, []),
        };
        if (writable)
        {
            collectionOperations["post"] = Operation("post", $"create{scope}{type.Kind}", $"create a {type.Kind}", kindSchema, Writes(), body: true);
            itemOperations["put"] = Operation("put", $"replace{scope}{type.Kind}", $"replace the specified {type.Kind}", kindSchema, Writes(), body: true);
            itemOperations["patch"] = Operation("patch", $"patch{scope}{type.Kind}", $"partially update the specified {type.Kind}", kindSchema, [.. Writes(), Query("force", "boolean", "Force is going to \"force\" Apply requests.")], patch: true);
            itemOperations["delete"] = Operation("delete", $"delete{scope}{type.Kind}", $"delete a {type.Kind}", kindSchema, [Query("dryRun", "string", "When present, indicates that modifications should not be persisted.")]);
        }
        collectionOperations["parameters"] = PathParameters(named: false);
        itemOperations["parameters"] = PathParameters(named: true);
        paths[collection] = collectionOperations;
        paths[item] = itemOperations;
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
        var operation = new JsonObject
        {
            ["tags"] = new JsonArray(Tag()),
            ["description"] = summary,
            ["operationId"] = OperationId(id),
        };
        var responses = new JsonObject
        {
            ["200"] = Response("OK", schema),
            ["401"] = new JsonObject { ["description"] = "Unauthorized" },
        };
        if (action == "post")
        {
            responses["201"] = Response("Created", schema);
        }
        var bodyTypes = patch
            ? new[] { "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json" }
            : ["application/json"];
        var bodySchema = patch ? new JsonObject { ["type"] = "object" } : body ? Ref(schema!) : null;
        if (V2)
        {
            // Swagger 2.0: media types per operation, and the body is a parameter of its own
            if (bodySchema is not null)
            {
                operation["consumes"] = new JsonArray([.. bodyTypes.Select(t => (JsonNode)t)]);
                parameters = [.. parameters, new JsonObject { ["name"] = "body", ["in"] = "body", ["required"] = true, ["schema"] = bodySchema }];
            }
            operation["produces"] = new JsonArray("application/json");
            operation["schemes"] = new JsonArray("https");
        }
        else if (bodySchema is not null)
        {
            var bodyContent = new JsonObject();
            foreach (var mediaType in bodyTypes)
            {
                bodyContent[mediaType] = new JsonObject { ["schema"] = bodySchema.DeepClone() };
            }
            operation["requestBody"] = new JsonObject { ["content"] = bodyContent, ["required"] = true };
        }
        operation["parameters"] = new JsonArray(parameters);
        operation["responses"] = responses;
        operation["x-kubernetes-action"] = action;
        operation["x-kubernetes-group-version-kind"] = SchemaWriter.Gvk(new GroupVersionKind(type.Group, type.Version, type.Kind));
        return operation;
    }

    /// <summary>A response carrying <paramref name="schema"/>: in v2 directly, in v3 under its media type.</summary>
    private JsonObject Response(string description, string? schema)
    {
        var response = new JsonObject { ["description"] = description };
        if (V2)
        {
            if (schema is not null)
            {
                response["schema"] = Ref(schema);
            }
        }
        else
        {
            response["content"] = new JsonObject
            {
                ["application/json"] = schema is null ? new JsonObject() : new JsonObject { ["schema"] = Ref(schema) },
            };
        }
        return response;
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

    private JsonObject Ref(string schema) => new() { ["$ref"] = schemas.Reference(schema) };

    private JsonNode[] WithSelectors() =>
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

    private JsonNode[] Writes() =>
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

    private JsonObject PathParameter(string name, string description) =>
        Parameter(new JsonObject { ["name"] = name, ["in"] = "path", ["description"] = description, ["required"] = true }, "string");

    private JsonObject Query(string name, string type, string description) =>
        Parameter(new JsonObject { ["name"] = name, ["in"] = "query", ["description"] = description }, type);

    /// <summary>A parameter's type: in v2 on the parameter itself, in v3 in its <c>schema</c>.</summary>
    private JsonObject Parameter(JsonObject parameter, string type)
    {
        if (V2)
        {
            parameter["type"] = type;
            parameter["uniqueItems"] = true;
        }
        else
        {
            parameter["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true };
        }
        return parameter;
    }
}
