using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Kube.Api;

/// <summary>
/// YAML request bodies, read into JSON as kube-apiserver's YAML decoder reads them (YAML 1.1 plain scalars: <c>yes</c>
/// and <c>on</c> are booleans, <c>0x1f</c> and <c>0o17</c> integers, <c>~</c> null), one document, no duplicate keys.
/// </summary>
internal static class YamlBody
{
    public const string MediaType = "application/yaml";

    public static JsonNode? Parse(ReadOnlyMemory<byte> body)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(Encoding.UTF8.GetString(body.Span));
            stream.Load(reader);
        }
        catch (YamlException e) when (e.Message.Contains("Duplicate key", StringComparison.Ordinal))
        {
            throw KubeApiException.BadRequest($"error converting YAML to JSON: yaml: unmarshal errors:\n  line {e.Start.Line}: key already set in map");
        }
        catch (YamlException e)
        {
            throw KubeApiException.BadRequest($"error converting YAML to JSON: yaml: line {e.Start.Line}: {Describe(e)}");
        }
        return stream.Documents.Count switch
        {
            0 => null,
            // reparsed, so that its numbers read as any integer type, as numbers parsed from JSON do
            1 => Convert(stream.Documents[0].RootNode) is { } node ? JsonNode.Parse(node.ToJsonString()) : null,
            _ => throw KubeApiException.BadRequest("error converting YAML to JSON: the body holds more than one YAML document"),
        };
    }

    private static string Describe(YamlException e) =>
        (e.InnerException?.Message ?? e.Message).Replace("While parsing a block mapping, ", "", StringComparison.Ordinal);

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => ConvertMapping(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw KubeApiException.BadRequest($"error converting YAML to JSON: yaml: line {node.Start.Line}: unsupported node"),
    };

    private static JsonObject ConvertMapping(YamlMappingNode mapping)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode scalar)
            {
                throw KubeApiException.BadRequest($"error converting YAML to JSON: yaml: line {key.Start.Line}: a map key must be a scalar");
            }
            // keys are strings in JSON, whatever YAML type they read as
            var name = ConvertScalar(scalar) switch
            {
                null => "null",
                JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
                var other => other.ToJsonString(),
            };
            if (!obj.TryAdd(name, Convert(value)))
            {
                throw KubeApiException.BadRequest(
                    $"error converting YAML to JSON: yaml: unmarshal errors:\n  line {key.Start.Line}: key \"{name}\" already set in map");
            }
        }
        return obj;
    }

    private static JsonValue? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" || (tag is null && scalar.Style != ScalarStyle.Plain))
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
}
