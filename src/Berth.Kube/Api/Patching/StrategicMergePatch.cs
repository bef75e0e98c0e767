using System.Text.Json.Nodes;

namespace Berth.Kube.Api.Patching;

/// <summary>
/// Kubernetes' strategic merge patch: a merge patch in which lists with a merge key (containers by
/// <c>name</c>, ports by <c>containerPort</c> …) merge element by element instead of being replaced, with
/// the directives <c>$patch</c> (replace, delete), <c>$retainKeys</c>, <c>$setElementOrder/…</c> and
/// <c>$deleteFromPrimitiveList/…</c>. Merge keys come from the kind, by field path (list indices left out).
/// </summary>
internal sealed class StrategicMergePatch(IReadOnlyDictionary<string, string> mergeKeys)
{
    private const string OrderPrefix = "$setElementOrder/";
    private const string DeletePrefix = "$deleteFromPrimitiveList/";

    /// <summary>The merge key naming a primitive list whose patches add values rather than replace the list.</summary>
    public const string PrimitiveSet = "";

    public JsonObject Apply(JsonObject target, JsonObject patch) =>
        ApplyObject(target, patch, "") as JsonObject ?? throw KubeApiException.BadRequest("a strategic merge patch cannot delete the whole object");

    private JsonNode? ApplyObject(JsonNode? target, JsonObject patch, string path)
    {
        switch (patch["$patch"].AsText())
        {
            case "replace":
                return WithoutDirectives(patch);
            case "delete":
                return null;
            case null:
                break;
            case var other:
                throw KubeApiException.BadRequest($"unknown patch type \"{other}\" at {Display(path)}");
        }
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            var merged = value switch
            {
                null => null,
                JsonArray list => MergeList(result[key] as JsonArray, list, childPath, patch[OrderPrefix + key] as JsonArray),
                JsonObject child => ApplyObject(result[key]?.DeepClone(), child, childPath),
                _ => value.DeepClone(),
            };
            result.Remove(key);
            if (merged is not null)
            {
                result[key] = merged;
            }
        }
        foreach (var (key, value) in patch.Where(p => p.Key.StartsWith(DeletePrefix, StringComparison.Ordinal)).ToList())
        {
            var field = key[DeletePrefix.Length..];
            if (result[field] is JsonArray list && value is JsonArray doomed)
            {
                foreach (var item in list.Where(i => doomed.Any(d => JsonNode.DeepEquals(d, i))).ToList())
                {
                    list.Remove(item);
                }
            }
        }
        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k.AsText()).ToHashSet(StringComparer.Ordinal);
            foreach (var key in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                result.Remove(key);
            }
        }
        return result;
    }

    private JsonArray MergeList(JsonArray? existing, JsonArray patch, string path, JsonArray? order)
    {
        if (!mergeKeys.TryGetValue(path, out var mergeKey))
        {
            return (JsonArray)WithoutDirectives(patch);
        }
        var result = existing?.DeepClone().AsArray() ?? [];
        if (mergeKey == PrimitiveSet)
        {
            foreach (var value in patch.Where(v => !result.Any(r => JsonNode.DeepEquals(r, v))))
            {
                result.Add(value?.DeepClone());
            }
            return result;
        }
        foreach (var element in patch)
        {
            if (element is not JsonObject item || item[mergeKey] is not { } key)
            {
                throw KubeApiException.BadRequest($"a patch element of {Display(path)} lacks its merge key \"{mergeKey}\"");
            }
            var match = result.FirstOrDefault(r => JsonNode.DeepEquals((r as JsonObject)?[mergeKey], key));
            if (item["$patch"].AsText() == "delete")
            {
                result.Remove(match);
                continue;
            }
            if (match is null)
            {
                result.Add(WithoutDirectives(item));
            }
            else
            {
                var index = result.IndexOf(match);
                result[index] = ApplyObject(match.DeepClone(), item, path);
            }
        }
        return order is null ? result : Reorder(result, order, mergeKey);
    }

    /// <summary>Puts the elements named in <c>$setElementOrder</c> in that order; the others follow as they were.</summary>
    private static JsonArray Reorder(JsonArray list, JsonArray order, string mergeKey)
    {
        var ordered = new List<JsonNode?>();
        foreach (var wanted in order)
        {
            var found = list.FirstOrDefault(e => JsonNode.DeepEquals((e as JsonObject)?[mergeKey], (wanted as JsonObject)?[mergeKey]));
            if (found is not null && !ordered.Contains(found))
            {
                ordered.Add(found);
            }
        }
        ordered.AddRange(list.Where(e => !ordered.Contains(e)));
        return [.. ordered.Select(e => e?.DeepClone())];
    }

    private static JsonNode WithoutDirectives(JsonNode node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Where(p => !p.Key.StartsWith('$'))
            .Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : WithoutDirectives(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(e => e is null ? null : WithoutDirectives(e))]),
        _ => node.DeepClone(),
    };

    private static string Display(string path) => path.Length == 0 ? "the object" : path;
}
