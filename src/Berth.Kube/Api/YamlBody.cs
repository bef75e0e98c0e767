using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Berth.Kube.Api;

/// <summary>
/// YAML request bodies, read into JSON as kube-apiserver's YAML decoder reads them (YAML 1.1 plain scalars: <c>yes</c>
/// and <c>on</c> are booleans, <c>0x1f</c> and <c>0o17</c> integers, <c>~</c> null), one document, no duplicate keys.
/// Read from the parser's events in one loop, never by recursion, with the nesting and alias expansion bounded, so
/// that no body can exhaust the stack or the memory.
/// </summary>
internal static class YamlBody
{
    public const string MediaType = "application/yaml";

    /// <summary>The deepest nesting read, as for JSON bodies.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most values a body may expand to through aliases, as go-yaml refuses "excessive aliasing".</summary>
    private const int MaxNodes = 1_000_000;

    public static JsonNode? Parse(ReadOnlyMemory<byte> body)
    {
        try
        {
            return Read(new Parser(new StringReader(Encoding.UTF8.GetString(body.Span))));
        }
        catch (YamlException e)
        {
            throw Error($"yaml: line {e.Start.Line}: {e.Message}");
        }
    }

    private static JsonNode? Read(Parser parser)
    {
        var anchors = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var open = new Stack<Open>();
        JsonNode? document = null;
        var documents = 0;
        var nodes = 0;
        while (parser.MoveNext())
        {
            JsonNode? value;
            string? anchor = null;
            switch (parser.Current)
            {
                case DocumentStart:
                    if (++documents > 1)
                    {
                        throw Error("the body holds more than one YAML document");
                    }
                    continue;
                case MappingStart start:
                    Push(open, new Open(new JsonObject(), start.Anchor.IsEmpty ? null : start.Anchor.Value, start.Start.Line));
                    continue;
                case SequenceStart start:
                    Push(open, new Open(new JsonArray(), start.Anchor.IsEmpty ? null : start.Anchor.Value, start.Start.Line));
                    continue;
                case MappingEnd or SequenceEnd:
                    var closed = open.Pop();
                    if (closed.PendingKey is not null)
                    {
                        throw Error($"yaml: line {closed.Line}: a map key has no value");
                    }
                    value = closed.Node;
                    anchor = closed.Anchor;
                    break;
                case Scalar { Value: "<<", Style: ScalarStyle.Plain } merge when merge.Tag.IsEmpty && open.TryPeek(out var into)
                    && into.Node is JsonObject && into.PendingKey is null && !into.Merging:
                    into.Merging = true; // a merge key: the value's entries join this map
                    continue;
                case Scalar scalar:
                    value = ConvertScalar(scalar);
                    anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
                    break;
                case AnchorAlias alias:
                    if (!anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        throw Error($"yaml: line {alias.Start.Line}: unknown anchor '{alias.Value.Value}' referenced");
                    }
                    nodes += Count(target);
                    if (nodes > MaxNodes)
                    {
                        throw Error("yaml: document contains excessive aliasing");
                    }
                    value = target?.DeepClone();
                    break;
                default:
                    continue;
            }
            if (++nodes > MaxNodes)
            {
                throw Error("yaml: document contains excessive aliasing");
            }
            if (anchor is not null)
            {
                anchors[anchor] = value;
            }
            if (open.Count == 0)
            {
                document = value;
            }
            else
            {
                Add(open.Peek(), value, parser.Current!.Start.Line);
            }
        }
        // reparsed, so that its numbers read as any integer type, as numbers parsed from JSON do
        return document is null ? null : JsonNode.Parse(document.ToJsonString(), documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = MaxDepth + 1 });
    }

    private static void Push(Stack<Open> open, Open node)
    {
        if (open.Count >= MaxDepth)
        {
            throw Error($"yaml: line {node.Line}: the document is nested more than {MaxDepth} levels deep");
        }
        open.Push(node);
    }

    /// <summary>Adds a value to the open map or list: in a map, a key first, then its value.</summary>
    private static void Add(Open parent, JsonNode? value, long line)
    {
        if (parent.Node is JsonArray list)
        {
            list.Add(value);
            return;
        }
        var map = (JsonObject)parent.Node;
        if (parent.Merging)
        {
            Merge(parent, map, value, line);
            parent.Merging = false;
            return;
        }
        if (parent.PendingKey is null)
        {
            // keys are strings in JSON, whatever YAML type they read as
            parent.PendingKey = value switch
            {
                null => "null",
                JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
                JsonValue v => v.ToJsonString(),
                _ => throw Error($"yaml: line {line}: a map key must be a scalar"),
            };
            return;
        }
        if (parent.Merged.Remove(parent.PendingKey))
        {
            map[parent.PendingKey] = value; // a key of the map itself wins over a merged one
        }
        else if (!map.TryAdd(parent.PendingKey, value))
        {
            throw Error($"yaml: unmarshal errors:\n  line {line}: key \"{parent.PendingKey}\" already set in map");
        }
        parent.PendingKey = null;
    }

    /// <summary>
    /// A merge key's value (<c>&lt;&lt;: *defaults</c>): the entries of a map, or of a list of maps, earlier ones
    /// first, join the map where it has no such key.
    /// </summary>
    private static void Merge(Open parent, JsonObject map, JsonNode? value, long line)
    {
        IEnumerable<JsonNode?> sources = value switch
        {
            JsonObject single => [single],
            JsonArray list when list.All(item => item is JsonObject) => list,
            _ => throw Error($"yaml: line {line}: map merge requires map or sequence of maps as the value"),
        };
        foreach (var source in sources.Cast<JsonObject>())
        {
            foreach (var (key, entry) in source)
            {
                if (!map.ContainsKey(key))
                {
                    map[key] = entry?.DeepClone();
                    parent.Merged.Add(key);
                }
            }
        }
    }

    private static int Count(JsonNode? node) => node switch
    {
        JsonObject obj => 1 + obj.Sum(p => Count(p.Value)),
        JsonArray array => 1 + array.Sum(Count),
        _ => 1,
    };

    private static KubeApiException Error(string detail) => KubeApiException.BadRequest($"error converting YAML to JSON: {detail}");

    private static JsonValue? ConvertScalar(Scalar scalar)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" or "!!str" || (tag is null && scalar.Style != ScalarStyle.Plain))
        {
            return JsonValue.Create(text);
        }
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }
        switch (text)
        {
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF" or "-.inf" or "-.Inf" or "-.INF" or ".nan" or ".NaN" or ".NAN":
                // JSON has no infinities: kept as the text they were
                return JsonValue.Create(text);
        }
        if (ParseInteger(text) is { } integer)
        {
            return JsonValue.Create(integer);
        }
        if (IsFloat(text) && double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }
        return JsonValue.Create(text);
    }

    private static long? ParseInteger(string text)
    {
        var plain = text.Replace("_", "", StringComparison.Ordinal);
        var negative = plain.StartsWith('-');
        var digits = plain.TrimStart('+', '-');
        if (digits.Length == 0 || plain.Length - digits.Length > 1)
        {
            return null;
        }
        var (radix, body) = digits switch
        {
            _ when digits.StartsWith("0x", StringComparison.Ordinal) => (16, digits[2..]),
            _ when digits.StartsWith("0o", StringComparison.Ordinal) => (8, digits[2..]),
            _ when digits.StartsWith("0b", StringComparison.Ordinal) => (2, digits[2..]),
            _ when digits.Length > 1 && digits[0] == '0' => (8, digits[1..]),
            _ => (10, digits),
        };
        if (body.Length == 0 || !body.All(c => Uri.IsHexDigit(c) && System.Convert.ToInt32(c.ToString(), 16) < radix))
        {
            return null;
        }
        try
        {
            var value = System.Convert.ToInt64(body, radix);
            return negative ? -value : value;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static bool IsFloat(string text) =>
        text.Any(char.IsAsciiDigit) && text.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-' or '_')
        && (text.Contains('.') || text.Contains('e') || text.Contains('E'));

    /// <summary>A map or list being read, with the anchor it will be known by and, in a map, the key read last.</summary>
    private sealed class Open(JsonNode node, string? anchor, long line)
    {
        public JsonNode Node { get; } = node;

        public string? Anchor { get; } = anchor;

        public long Line { get; } = line;

        public string? PendingKey { get; set; }

        /// <summary>A merge key was read: the next value's entries join the map.</summary>
        public bool Merging { get; set; }

        /// <summary>The keys that came from merge keys, which the map's own keys may still replace.</summary>
        public HashSet<string> Merged { get; } = new(StringComparer.Ordinal);
    }
}
