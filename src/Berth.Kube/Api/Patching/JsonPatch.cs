using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Kube.Api.Patching;

/// <summary>JSON Patch (RFC 6902): add, remove, replace, move, copy and test, addressed by JSON Pointers (RFC 6901).</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        foreach (var node in operations)
        {
            if (node is not JsonObject operation || operation["op"].AsText() is not { } op || operation["path"].AsText() is not { } path)
            {
                throw Invalid("each operation needs \"op\" and \"path\"");
            }
            switch (op)
            {
                case "add":
                    document = Add(document, path, Value(operation));
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace" when path.Length == 0:
                    document = Value(operation) ?? throw Invalid("cannot replace the document with null");
                    break;
                case "replace":
                    Remove(document, path);
                    document = Add(document, path, Value(operation));
                    break;
                case "move":
                    var moved = Get(document, From(operation));
                    Remove(document, From(operation));
                    document = Add(document, path, moved);
                    break;
                case "copy":
                    document = Add(document, path, Get(document, From(operation))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path), operation["value"]))
                    {
                        throw Invalid($"test failed at {path}");
                    }
                    break;
                default:
                    throw Invalid($"unknown operation \"{op}\"");
            }
        }
        return document;
    }

    private static JsonNode? Value(JsonObject operation) =>
        operation.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw Invalid("operation needs \"value\"");

    private static string From(JsonObject operation) =>
        operation["from"].AsText() ?? throw Invalid("operation needs \"from\"");

    private static JsonNode Add(JsonNode document, string path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value ?? throw Invalid("cannot replace the document with null");
        }
        var (parent, token) = Parent(document, path);
        switch (parent)
        {
            case JsonObject obj:
                obj.Remove(token);
                obj[token] = value;
                break;
            case JsonArray array when token == "-":
                array.Add(value);
                break;
            case JsonArray array:
                var index = Index(token, array.Count + 1, path);
                array.Insert(index, value);
                break;
            default:
                throw Invalid($"cannot add at {path}");
        }
        return document;
    }

    private static void Remove(JsonNode document, string path)
    {
        var (parent, token) = Parent(document, path);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(token):
                obj.Remove(token);
                break;
            case JsonArray array:
                array.RemoveAt(Index(token, array.Count, path));
                break;
            default:
                throw Invalid($"nothing to remove at {path}");
        }
    }

    private static JsonNode? Get(JsonNode document, string path)
    {
        JsonNode? current = document;
        foreach (var token in Tokens(path))
        {
            current = current switch
            {
                JsonObject obj when obj.TryGetPropertyValue(token, out var child) => child,
                JsonArray array => array[Index(token, array.Count, path)],
                _ => throw Invalid($"no value at {path}"),
            };
        }
        return current;
    }

    private static (JsonNode Parent, string Token) Parent(JsonNode document, string path)
    {
        var tokens = Tokens(path).ToList();
        if (tokens.Count == 0)
        {
            throw Invalid("the whole document cannot be removed or moved");
        }
        var parentPath = string.Concat(tokens.Take(tokens.Count - 1).Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
        return (Get(document, parentPath) ?? throw Invalid($"no parent for {path}"), tokens[^1]);
    }

    private static IEnumerable<string> Tokens(string path)
    {
        if (path.Length == 0)
        {
            yield break;
        }
        if (path[0] != '/')
        {
            throw Invalid($"\"{path}\" is not a JSON pointer");
        }
        foreach (var token in path[1..].Split('/'))
        {
            yield return token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
        }
    }

    private static int Index(string token, int limit, string path) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < limit
            ? index
            : throw Invalid($"index {token} out of range at {path}");

    private static KubeApiException Invalid(string message) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: {message}");
}
