using System.Buffers;
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
    // Kept sorted by element and made only for nodes that have children: most nodes are leaves, and every write
    // builds these trees.
    private List<KeyValuePair<string, FieldSet>>? _children;

    /// <summary>The path leading to this node is itself in the set.</summary>
    public bool Member { get; set; }

    public IReadOnlyList<KeyValuePair<string, FieldSet>> Children => (IReadOnlyList<KeyValuePair<string, FieldSet>>?)_children ?? [];

    public bool IsEmpty => !Member && ChildCount == 0;

    private int ChildCount => _children?.Count ?? 0;

    /// <summary>The node under <paramref name="element"/>, made when missing.</summary>
    public FieldSet Child(string element)
    {
        var at = Search(element);
        if (at >= 0)
        {
            return _children![at].Value;
        }
        var child = new FieldSet();
        (_children ??= []).Insert(~at, KeyValuePair.Create(element, child));
        return child;
    }

    public FieldSet? Find(string element) => Search(element) is var at and >= 0 ? _children![at].Value : null;

    /// <summary>Where <paramref name="element"/> is among the children, or the complement of where it would go.</summary>
    private int Search(string element)
    {
        if (_children is null)
        {
            return -1;
        }
        int low = 0, high = _children.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = ElementOrder.Instance.Compare(_children[middle].Key, element);
            if (order == 0)
            {
                return middle;
            }
            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return ~low;
    }

    /// <summary>Sets the child under <paramref name="element"/>, in place of any there.</summary>
    private void Put(string element, FieldSet child)
    {
        var at = Search(element);
        if (at >= 0)
        {
            _children![at] = KeyValuePair.Create(element, child);
        }
        else
        {
            (_children ??= []).Insert(~at, KeyValuePair.Create(element, child));
        }
    }

    /// <summary>Puts <paramref name="child"/> under <paramref name="element"/>, unless it is empty.</summary>
    public void Attach(string element, FieldSet child)
    {
        if (!child.IsEmpty)
        {
            Put(element, child);
        }
    }

    public FieldSet Clone()
    {
        var copy = new FieldSet { Member = Member };
        if (_children is not null)
        {
            copy._children = new List<KeyValuePair<string, FieldSet>>(_children.Count);
            foreach (var (element, child) in _children)
            {
                copy._children.Add(KeyValuePair.Create(element, child.Clone()));
            }
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
        foreach (var (element, child) in other.Children)
        {
            Child(element).UnionWith(child);
        }
    }

    /// <summary>The paths of <paramref name="a"/> that are not in <paramref name="b"/>.</summary>
    public static FieldSet Difference(FieldSet a, FieldSet b)
    {
        var result = new FieldSet { Member = a.Member && !b.Member };
        foreach (var (element, child) in a.Children)
        {
            var rest = b.Find(element) is { } other ? Difference(child, other) : child.Clone();
            if (!rest.IsEmpty)
            {
                (result._children ??= []).Add(KeyValuePair.Create(element, rest)); // in order, as a's are
            }
        }
        return result;
    }

    /// <summary>The paths in both sets.</summary>
    public static FieldSet Intersection(FieldSet a, FieldSet b)
    {
        var result = new FieldSet { Member = a.Member && b.Member };
        foreach (var (element, child) in a.Children)
        {
            if (b.Find(element) is { } other && Intersection(child, other) is { IsEmpty: false } both)
            {
                (result._children ??= []).Add(KeyValuePair.Create(element, both));
            }
        }
        return result;
    }

    public bool SetEquals(FieldSet other) =>
        Member == other.Member && ChildCount == other.ChildCount
        && Children.All(c => other.Find(c.Key) is { } o && c.Value.SetEquals(o));

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
            foreach (var (element, child) in node.Children)
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
    /// <remarks>
    /// Written out and parsed back rather than built node by node: every write records a set, and the object it goes
    /// into is serialized far more often than its sets are read, so a parsed value, copied out as its bytes, is cheaper.
    /// </remarks>
    public JsonObject ToFieldsV1()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteFieldsV1(writer);
        }
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    private void WriteFieldsV1(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (Member && ChildCount > 0)
        {
            writer.WriteStartObject(".");
            writer.WriteEndObject();
        }
        foreach (var (element, child) in Children)
        {
            writer.WritePropertyName(element);
            child.WriteFieldsV1(writer);
        }
        writer.WriteEndObject();
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
            child.Member |= child.ChildCount == 0;
            set.Put(element, child);
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
