using System.Text.Json.Nodes;

namespace Berth.Aws.Endpoint;

/// <summary>
/// Reading the JSON protocols' input (JSON 1.1 and REST-JSON) by the members' types: a member of the wrong JSON type
/// is the protocols' SerializationException, as AWS answers a body its deserializer cannot read.
/// </summary>
internal static class JsonInput
{
    /// <summary>A list of strings, or null when absent.</summary>
    public static List<string>? Strings(JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonArray array => array.Select(n => n is JsonValue v && v.TryGetValue<string>(out var text) ? text
            : throw new AwsException("SerializationException", $"'{name}' must be a list of strings")).ToList(),
        _ => throw new AwsException("SerializationException", $"'{name}' must be a list of strings"),
    };

    /// <summary>The objects of a list member, or an empty list when absent.</summary>
    public static List<JsonObject> Objects(JsonObject input, string name) => input[name] switch
    {
        null => [],
        JsonArray array => array.Select(n => n as JsonObject ?? throw new AwsException("SerializationException", $"'{name}' must be a list of structures")).ToList(),
        _ => throw new AwsException("SerializationException", $"'{name}' must be a list of structures"),
    };

    /// <summary>A number or boolean member; one of another JSON type is the protocol's SerializationException.</summary>
    public static T? Value<T>(JsonObject input, string name) where T : struct => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<T>(out var typed) => typed,
        _ => throw new AwsException("SerializationException", $"'{name}' must be a {(typeof(T) == typeof(bool) ? "boolean" : "number")}"),
    };

    public static string? Text(JsonObject input, string name) => input[name] switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => throw new AwsException("SerializationException", $"'{name}' must be a string"),
    };

    /// <summary>A time as the JSON protocols write timestamps: epoch seconds with fractions.</summary>
    public static JsonNode Timestamp(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

}
