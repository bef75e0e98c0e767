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
            switch (semantics.ListAt(path, schema, out var key))
            {
                case ListKind.Associative when KeyedItems.Of(configList, key) is { } configItems && KeyedItems.Of(liveList, key) is { } liveItems:
                    var result = (JsonArray)liveList.DeepClone();
                    for (var i = 0; i < configList.Count; i++)
                    {
                        var at = liveItems.IndexOf(configItems.Elements[i]);
                        if (at < 0)
                        {
                            result.Add(configList[i]!.DeepClone());
                        }
                        else
                        {
                            result[at] = MergeValue(result[at], configList[i]!, path, schema?.Items);
                        }
                    }
                    return result;
                case ListKind.Set:
                    var union = (JsonArray)liveList.DeepClone();
                    var present = liveList.Select(FieldSet.Value).ToHashSet(StringComparer.Ordinal);
                    foreach (var item in configList.Where(c => present.Add(FieldSet.Value(c))))
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
    public void Remove(JsonObject obj, FieldSet doomed, FieldSet kept) => RemoveFields(obj, doomed, kept, "", semantics.Root);

    private void RemoveFields(JsonObject obj, FieldSet doomed, FieldSet? kept, string path, TypeSchema? schema)
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
            if (RemoveInside(value, child, keptChild, FieldSemantics.Child(path, name), FieldSemantics.Property(schema, name)))
            {
                obj.Remove(name);
            }
        }
    }

    /// <summary>Removes within a value; true when the value was emptied by it and should go as well.</summary>
    private bool RemoveInside(JsonNode? value, FieldSet doomed, FieldSet? kept, string path, TypeSchema? schema)
    {
        switch (value)
        {
            case JsonObject obj when obj.Count > 0:
                RemoveFields(obj, doomed, kept, path, schema);
                return obj.Count == 0;
            case JsonArray list when list.Count > 0:
                var kind = semantics.ListAt(path, schema, out var key);
                if (kind == ListKind.Atomic)
                {
                    return false;
                }
                // each item's element, computed once, so that removing from a long list stays linear
                var positions = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < list.Count; i++)
                {
                    if ((kind == ListKind.Set ? FieldSet.Value(list[i]) : key.Element(list[i])) is { } element)
                    {
                        positions.TryAdd(element, i);
                    }
                }
                var doomedItems = new List<int>();
                foreach (var (element, child) in doomed.Children)
                {
                    if (!positions.TryGetValue(element, out var at))
                    {
                        continue;
                    }
                    var keptChild = kept?.Find(element);
                    if (child.Member && keptChild is null or { IsEmpty: true })
                    {
                        doomedItems.Add(at);
                    }
                    else if (list[at] is JsonObject item)
                    {
                        RemoveFields(item, child, keptChild, path, schema?.Items);
                    }
                }
                foreach (var at in doomedItems.OrderDescending())
                {
                    list.RemoveAt(at);
                }
                return list.Count == 0;
            default:
                return false;
        }
    }
}
