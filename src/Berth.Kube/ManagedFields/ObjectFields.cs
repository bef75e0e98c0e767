using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Schema;

namespace Berth.Kube.ManagedFields;

/// <summary>
/// The field sets of objects of one kind: the fields an applied configuration names, and the fields a write
/// adds, changes or removes.
/// </summary>
internal sealed class ObjectFields(FieldSemantics semantics)
{
    /// <summary>
    /// The fields <paramref name="obj"/> specifies, as an apply configuration claims them: its leaves, the items of
    /// its keyed lists and sets, and atomic values whole.
    /// </summary>
    public FieldSet Specified(JsonObject obj, string? subresource)
    {
        var set = new FieldSet();
        AddSpecifiedFields(set, obj, "", semantics.Root, subresource);
        return set;
    }

    private void AddSpecifiedFields(FieldSet node, JsonObject obj, string path, TypeSchema? schema, string? subresource)
    {
        foreach (var (name, value) in obj)
        {
            if (semantics.Counts(path, name, subresource))
            {
                var child = new FieldSet();
                AddSpecified(child, value, FieldSemantics.Child(path, name), FieldSemantics.Property(schema, name), subresource);
                node.Attach(FieldSet.Field(name), child);
            }
        }
    }

    private void AddSpecified(FieldSet node, JsonNode? value, string path, TypeSchema? schema, string? subresource)
    {
        switch (value)
        {
            case JsonObject obj when obj.Count > 0 && !FieldSemantics.IsAtomicStruct(schema):
                AddSpecifiedFields(node, obj, path, schema, subresource);
                return;
            case JsonArray list when list.Count > 0:
                switch (semantics.ListAt(path, schema, out var key))
                {
                    case ListKind.Associative:
                        // an applied list must name each item once, or it cannot be merged
                        var elements = (KeyedItems.Of(list, key) ?? throw KubeApiException.BadRequest(
                            $".{path}: every item must have a distinct key ({string.Join(", ", key.Names)})")).Elements;
                        for (var i = 0; i < list.Count; i++)
                        {
                            var item = node.Child(elements[i]);
                            item.Member = true;
                            AddSpecifiedFields(item, (JsonObject)list[i]!, path, schema?.Items, subresource);
                        }
                        return;
                    case ListKind.Set:
                        foreach (var item in list)
                        {
                            node.Child(FieldSet.Value(item)).Member = true;
                        }
                        return;
                }
                break;
        }
        node.Member = true;
    }

    /// <summary>
    /// What a write from <paramref name="old"/> (null for a new object) to <paramref name="updated"/> did: the
    /// fields it added or changed, and the fields it removed with everything under them.
    /// </summary>
    public (FieldSet Changed, FieldSet Removed) Compare(JsonObject? old, JsonObject updated, string? subresource)
    {
        var changed = new FieldSet();
        var removed = new FieldSet();
        CompareFields(changed, removed, old ?? [], updated, "", semantics.Root, subresource);
        return (changed, removed);
    }

    private void CompareFields(FieldSet changed, FieldSet removed, JsonObject old, JsonObject updated, string path, TypeSchema? schema, string? subresource)
    {
        foreach (var (name, value) in updated)
        {
            if (!semantics.Counts(path, name, subresource))
            {
                continue;
            }
            var element = FieldSet.Field(name);
            var childPath = FieldSemantics.Child(path, name);
            var childSchema = FieldSemantics.Property(schema, name);
            if (!old.TryGetPropertyValue(name, out var before))
            {
                changed.Attach(element, Added(value, childPath, childSchema, FieldSemantics.IsValueField(name), subresource));
                continue;
            }
            var (c, r) = CompareValues(before, value, childPath, childSchema, subresource);
            changed.Attach(element, c);
            removed.Attach(element, r);
        }
        foreach (var (name, value) in old)
        {
            if (!updated.ContainsKey(name) && semantics.Counts(path, name, subresource))
            {
                removed.Attach(FieldSet.Field(name), Added(value, FieldSemantics.Child(path, name), FieldSemantics.Property(schema, name), valueField: false, subresource));
            }
        }
    }

    private (FieldSet Changed, FieldSet Removed) CompareValues(JsonNode? before, JsonNode? after, string path, TypeSchema? schema, string? subresource)
    {
        var changed = new FieldSet();
        var removed = new FieldSet();
        if (before is JsonObject oldObj && after is JsonObject newObj && !FieldSemantics.IsAtomicStruct(schema))
        {
            CompareFields(changed, removed, oldObj, newObj, path, schema, subresource);
            return (changed, removed);
        }
        if (before is JsonArray oldList && after is JsonArray newList)
        {
            switch (semantics.ListAt(path, schema, out var key))
            {
                case ListKind.Associative when KeyedItems.Of(oldList, key) is { } oldItems && KeyedItems.Of(newList, key) is { } newItems:
                    for (var i = 0; i < newList.Count; i++)
                    {
                        var element = newItems.Elements[i];
                        var at = oldItems.IndexOf(element);
                        if (at < 0)
                        {
                            changed.Attach(element, Added(newList[i], path, schema?.Items, valueField: false, subresource));
                            continue;
                        }
                        var (c, r) = CompareValues(oldList[at], newList[i], path, schema?.Items, subresource);
                        changed.Attach(element, c);
                        removed.Attach(element, r);
                    }
                    for (var i = 0; i < oldList.Count; i++)
                    {
                        if (!newItems.Contains(oldItems.Elements[i]))
                        {
                            removed.Attach(oldItems.Elements[i], Added(oldList[i], path, schema?.Items, valueField: false, subresource));
                        }
                    }
                    return (changed, removed);
                case ListKind.Set:
                    var oldValues = oldList.Select(FieldSet.Value).ToHashSet(StringComparer.Ordinal);
                    var newValues = newList.Select(FieldSet.Value).ToHashSet(StringComparer.Ordinal);
                    foreach (var value in newValues.Where(v => !oldValues.Contains(v)))
                    {
                        changed.Child(value).Member = true;
                    }
                    foreach (var value in oldValues.Where(v => !newValues.Contains(v)))
                    {
                        removed.Child(value).Member = true;
                    }
                    return (changed, removed);
            }
        }
        if (!JsonNode.DeepEquals(before, after))
        {
            changed.Member = true;
        }
        return (changed, removed);
    }

    /// <summary>
    /// The fields of a value that did not exist before: the value itself (unless it is a Go value struct, which
    /// always exists, and has contents) and everything in it.
    /// </summary>
    private FieldSet Added(JsonNode? value, string path, TypeSchema? schema, bool valueField, string? subresource)
    {
        var set = new FieldSet();
        switch (value)
        {
            case JsonObject obj when obj.Count > 0 && !FieldSemantics.IsAtomicStruct(schema):
                set.Member = !valueField;
                foreach (var (name, child) in obj)
                {
                    if (semantics.Counts(path, name, subresource))
                    {
                        set.Attach(FieldSet.Field(name),
                            Added(child, FieldSemantics.Child(path, name), FieldSemantics.Property(schema, name), FieldSemantics.IsValueField(name), subresource));
                    }
                }
                return set;
            case JsonArray list when list.Count > 0:
                switch (semantics.ListAt(path, schema, out var key))
                {
                    case ListKind.Associative when KeyedItems.Of(list, key) is { } items:
                        set.Member = !valueField;
                        for (var i = 0; i < list.Count; i++)
                        {
                            set.Attach(items.Elements[i], Added(list[i], path, schema?.Items, valueField: false, subresource));
                        }
                        return set;
                    case ListKind.Set:
                        set.Member = !valueField;
                        foreach (var item in list)
                        {
                            set.Child(FieldSet.Value(item)).Member = true;
                        }
                        return set;
                }
                break;
        }
        set.Member = true;
        return set;
    }
}
