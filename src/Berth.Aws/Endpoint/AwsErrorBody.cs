using System.Text.Json.Serialization;

namespace Berth.Aws.Endpoint;

/// <summary>An error body of the JSON protocols: <c>{"__type": "…", "message": "…"}</c>.</summary>
public sealed record AwsErrorBody([property: JsonPropertyName("__type")] string Type, [property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(AwsErrorBody))]
internal sealed partial class EndpointJson : JsonSerializerContext;
