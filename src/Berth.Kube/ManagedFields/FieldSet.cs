using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kube.ManagedFields;

/// <summary>
/// A set of field paths in an object, as <c>managedFields</c> records them (the FieldsV1 format): a tree whose
/// edges are path elements — <c>f:name</c> for a field, <c>k:{"name":"web"}</c> for a list item by its keys,
/// <c>v:"x"</c> for an item of a set, <c>i:0</c> for an item by position — and whose nodes are members when the
/// path itself is in the set. A member with children is written with a <c>"."</c> entry.
/// </summary>
internal sealed class FieldSet
{
    private readonly SortedDictionary<string, FieldSet> _children = new(ElementOrder.Instance);

    /// <summary>The path leading to this node is itself in the set.</summary>
    public bool Member { get; set; }

    public IReadOnlyDictionary<string, FieldSet> Children => _children;

    public bool IsEmpty => !Member && _children.Count == 0;

    /// <summary>The node under <paramref name="element"/>, made when missing.</summary>
    public FieldSet Child(string element)
    {
        if (!_children.TryGetValue(element, out var child))
        {
            child = new FieldSet();
            _children[element] = child;
        }
        return child;
    }

    public FieldSet? Find(string element) => _children.GetValueOrDefault(element);

    /// <summary>Puts <paramref name="child"/> under <paramref name="element"/>, unless it is empty.</summary>
    public void Attach(string element, FieldSet child)
    {
        if (!child.IsEmpty)
        {
            _children[element] = child;
        }
    }

    public FieldSet Clone()
    {
        var copy = new FieldSet { Member = Member };
        foreach (var (element, child) in _children)
        {
            copy._children[element] = child.Clone();
        }
        return copy;
    }

    public static FieldSet Union(FieldSet a, FieldSet b)
    {
        var result = a.Clone();
        result.UnionWith(b);
        return result;
    }

    private void UnionWith(FieldSet other)
    {
        Member |= other.Member;
        foreach (var (element, child) in other._children)
        {
            Child(element).UnionWith(child);
        }
    }

    /// <summary>The paths of <paramref name="a"/> that are not in <paramref name="b"/>.</summary>
    public static FieldSet Difference(FieldSet a, FieldSet b)
    {
        var result = new FieldSet { Member = a.Member && !b.Member };
        foreach (var (element, child) in a._children)
        {
            var rest = b._children.TryGetValue(element, out var other) ? Difference(child, other) : child.Clone();
            if (!rest.IsEmpty)
            {
                result._children[element] = rest;
            }
        }
        return result;
    }

    /// <summary>The paths in both sets.</summary>
    public static FieldSet Intersection(FieldSet a, FieldSet b)
    {
        var result = new FieldSet { Member = a.Member && b.Member };
        foreach (var (element, child) in a._children)
        {
            if (b._children.TryGetValue(element, out var other) && Intersection(child, other) is { IsEmpty: false } both)
            {
                result._children[element] = both;
            }
        }
        return result;
    }

    public bool SetEquals(FieldSet other) =>
        Member == other.Member && _children.Count == other._children.Count
        && _children.All(c => other._children.TryGetValue(c.Key, out var o) && c.Value.SetEquals(o));

    /// <summary>The member paths, each as its list of elements, in the set's order.</summary>
    public IEnumerable<IReadOnlyList<string>> Paths()
    {
        var prefix = new List<string>();
        return Walk(this, prefix);

        static IEnumerable<IReadOnlyList<string>> Walk(FieldSet node, List<string> prefix)
        {
            if (node.Member)
            {
                yield return [.. prefix];
            }
            foreach (var (element, child) in node._children)
            {
                prefix.Add(element);
                foreach (var path in Walk(child, prefix))
                {
                    yield return path;
                }
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
    }

    /// <summary>The set in FieldsV1 form.</summary>
    public JsonObject ToFieldsV1()
    {
        var result = new JsonObject();
        if (Member && _children.Count > 0)
        {
            result["."] = new JsonObject();
        }
        foreach (var (element, child) in _children)
        {
            result[element] = child.ToFieldsV1();
        }
        return result;
    }

    /// <summary>Reads a FieldsV1 value; null when it is not one.</summary>
    public static FieldSet? FromFieldsV1(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return null;
        }
        var set = new FieldSet();
        foreach (var (element, value) in obj)
        {
            if (element == ".")
            {
                set.Member = true;
                continue;
            }
            if (element.Length < 2 || element[1] != ':' || element[0] is not ('f' or 'k' or 'v' or 'i') || FromFieldsV1(value) is not { } child)
            {
                return null;
            }
            // a node without children is a leaf of the set
            child.Member |= child._children.Count == 0;
            set._children[element] = child;
        }
        return set;
    }

    /// <summary>A path as Kubernetes prints it in conflicts: <c>.spec.containers[name="web"].image</c>.</summary>
    public static string Format(IReadOnlyList<string> path)
    {
        var text = new StringBuilder();
        foreach (var element in path)
        {
            var body = element[2..];
            switch (element[0])
            {
                case 'f':
                    text.Append('.').Append(body);
                    break;
                case 'k':
                    var keys = JsonNode.Parse(body) as JsonObject ?? [];
                    text.Append('[').AppendJoin(',', keys.Select(k => $"{k.Key}={k.Value?.ToJsonString()}")).Append(']');
                    break;
                case 'v':
                    text.Append("[=").Append(body).Append(']');
                    break;
                default:
                    text.Append('[').Append(body).Append(']');
                    break;
            }
        }
        return text.ToString();
    }

    public static string Field(string name) => "f:" + name;

    /// <summary>The element of a list item known by its key fields, written with the keys in name order.</summary>
    public static string Key(IEnumerable<KeyValuePair<string, JsonNode?>> keys)
    {
        var ordered = new JsonObject(keys.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => KeyValuePair.Create(k.Key, k.Value?.DeepClone())));
        return "k:" + ordered.ToJsonString(s_compactJson);
    }

    public static string Value(JsonNode? value) => "v:" + (value?.ToJsonString(s_compactJson) ?? "null");

    public static string Index(int index) => "i:" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions s_compactJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Fields first, then keyed items, values and indices, each in ordinal order, as Kubernetes writes them.</summary>
    private sealed class ElementOrder : IComparer<string>
    {
        public static readonly ElementOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var byKind = Rank(x).CompareTo(Rank(y));
            return byKind != 0 ? byKind : string.CompareOrdinal(x, y);
        }

        private static int Rank(string? element) => element?[0] switch
        {
            'f' => 0,
            'k' => 1,
            'v' => 2,
            _ => 3,
        };
    }
}
