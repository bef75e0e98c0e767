using System.Text.Json.Nodes;
using Berth.Kube.Schema;

namespace Berth.Kube.ManagedFields;

/// <summary>
/// The object side of server-side apply: an applied configuration merged into the live object (structs and maps
/// field by field, keyed lists item by item, sets value by value, anything atomic replaced), and the fields a
/// manager applied before but no longer does taken out again.
/// </summary>
internal sealed class ApplyMerge(FieldSemantics semantics)
{
    public JsonObject Merge(JsonObject live, JsonObject config) => MergeObject(live, config, "", semantics.Root);

    private JsonObject MergeObject(JsonObject live, JsonObject config, string path, TypeSchema? schema)
    {
        var result = (JsonObject)live.DeepClone();
        foreach (var (name, value) in config)
        {
            // a configuration holds no nulls: the field manager drops them first
            result[name] = MergeValue(result[name], value!, FieldSemantics.Child(path, name), FieldSemantics.Property(schema, name));
        }
        return result;
    }

    private JsonNode MergeValue(JsonNode? live, JsonNode config, string path, TypeSchema? schema)
    {
        if (live is JsonObject liveObj && config is JsonObject configObj && !FieldSemantics.IsAtomicStruct(schema))
        {
            return MergeObject(liveObj, configObj, path, schema);
        }
        if (live is JsonArray liveList && config is JsonArray configList)
        {
            switch (semantics.ListAt(path, out var key))
            {
                case ListKind.Associative when configList.All(i => key.Element(i) is not null):
                    var result = (JsonArray)liveList.DeepClone();
                    foreach (var item in configList)
                    {
                        var element = key.Element(item);
                        var at = IndexOf(result, key, element!);
                        if (at < 0)
                        {
                            result.Add(item!.DeepClone());
                        }
                        else
                        {
                            result[at] = MergeValue(result[at], item!, path, schema?.Items);
                        }
                    }
                    return result;
                case ListKind.Set:
                    var union = (JsonArray)liveList.DeepClone();
                    foreach (var item in configList.Where(c => !liveList.Any(l => JsonNode.DeepEquals(l, c))))
                    {
                        union.Add(item?.DeepClone());
                    }
                    return union;
            }
        }
        return config.DeepClone();
    }

    /// <summary>
    /// Removes from <paramref name="obj"/> the fields of <paramref name="doomed"/>, except where another manager
    /// (<paramref name="kept"/>) still owns something inside; containers left empty by it go too.
    /// </summary>
    public void Remove(JsonObject obj, FieldSet doomed, FieldSet kept) => RemoveFields(obj, doomed, kept, "");

    private void RemoveFields(JsonObject obj, FieldSet doomed, FieldSet? kept, string path)
    {
        foreach (var (element, child) in doomed.Children)
        {
            if (!element.StartsWith("f:", StringComparison.Ordinal))
            {
                continue;
            }
            var name = element[2..];
            if (!obj.TryGetPropertyValue(name, out var value))
            {
                continue;
            }
            var keptChild = kept?.Find(element);
            if (child.Member && keptChild is null or { IsEmpty: true })
            {
                obj.Remove(name);
                continue;
            }
            if (RemoveInside(value, child, keptChild, FieldSemantics.Child(path, name)))
            {
                obj.Remove(name);
            }
        }
    }

    /// <summary>Removes within a value; true when the value was emptied by it and should go as well.</summary>
    private bool RemoveInside(JsonNode? value, FieldSet doomed, FieldSet? kept, string path)
    {
        switch (value)
        {
            case JsonObject obj when obj.Count > 0:
                RemoveFields(obj, doomed, kept, path);
                return obj.Count == 0;
            case JsonArray list when list.Count > 0:
                var kind = semantics.ListAt(path, out var key);
                foreach (var (element, child) in doomed.Children)
                {
                    var keptChild = kept?.Find(element);
                    var at = kind switch
                    {
                        ListKind.Associative when element.StartsWith("k:", StringComparison.Ordinal) => IndexOf(list, key, element),
                        ListKind.Set when element.StartsWith("v:", StringComparison.Ordinal) => IndexOfValue(list, element),
                        _ => -1,
                    };
                    if (at < 0)
                    {
                        continue;
                    }
                    if (child.Member && keptChild is null or { IsEmpty: true })
                    {
                        list.RemoveAt(at);
                    }
                    else if (list[at] is JsonObject item)
                    {
                        RemoveFields(item, child, keptChild, path);
                    }
                }
                return list.Count == 0;
            default:
                return false;
        }
    }

    private static int IndexOf(JsonArray list, ListKeys key, string element)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (key.Element(list[i]) == element)
            {
                return i;
            }
        }
        return -1;
    }

    private static int IndexOfValue(JsonArray list, string element)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (FieldSet.Value(list[i]) == element)
            {
                return i;
            }
        }
        return -1;
    }
}
