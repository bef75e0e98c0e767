using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Berth.Client.Output;

/// <summary>
/// What the <c>get</c> commands print, as eksctl prints it: a table of named columns (<c>-o table</c>, the default),
/// or the records whole as JSON or YAML.
/// </summary>
public static class ResultPrinter
{
    public static readonly string[] Formats = ["table", "json", "yaml"];

    public static string Render(string format, IReadOnlyList<string> columns, IReadOnlyList<JsonObject> records, Func<JsonObject, IReadOnlyList<string>> row)
    {
        switch (format)
        {
            case "json":
                return new JsonArray([.. records.Select(r => (JsonNode)r.DeepClone())]).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
            case "yaml":
                var plain = JsonSerializer.Deserialize<List<object?>>(new JsonArray([.. records.Select(r => (JsonNode)r.DeepClone())]).ToJsonString(), s_toPlain);
                return new SerializerBuilder().WithQuotingNecessaryStrings().Build().Serialize(plain);
            default:
                var rows = records.Select(row).ToList();
                var widths = columns.Select((c, i) => rows.Select(r => r[i].Length).Append(c.Length).Max()).ToArray();
                var text = new System.Text.StringBuilder();
                foreach (var line in rows.Prepend(columns))
                {
                    text.AppendLine(string.Join("   ", line.Select((cell, i) => i == line.Count - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
                }
                return text.ToString();
        }
    }

    /// <summary>JSON read into plain dictionaries, lists and scalars, which the YAML serializer writes as YAML.</summary>
    private static readonly JsonSerializerOptions s_toPlain = new() { Converters = { new PlainConverter() } };

    private sealed class PlainConverter : System.Text.Json.Serialization.JsonConverter<object>
    {
        public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.StartObject => JsonSerializer.Deserialize<Dictionary<string, object?>>(ref reader, options),
            JsonTokenType.StartArray => JsonSerializer.Deserialize<List<object?>>(ref reader, options),
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.TryGetInt64(out var whole) ? whole : reader.GetDouble(),
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => null,
        };

        public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options) => throw new NotSupportedException();
    }
}
