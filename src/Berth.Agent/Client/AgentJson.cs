using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Berth.Agent.Client;

/// <summary>
/// The serializer of the API objects the agent reads and writes, generated at compile time for just those: the
/// client library's own context covers every kind of the API, over a thousand types whose serialization code and type
/// data an ahead-of-time compiled program would carry whole (docs/benchmarks.md). IntOrString and Quantity bring their
/// converters on their types; times are written as the API server writes them.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    Converters = [typeof(ApiTimeConverter)])]
[JsonSerializable(typeof(V1Pod))]
[JsonSerializable(typeof(V1PodList))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(V1NodeList))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(V1LeaseList))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(Corev1EventList))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1ConfigMapList))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1SecretList))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1ServiceList))]
[JsonSerializable(typeof(V1EndpointSlice))]
[JsonSerializable(typeof(V1EndpointSliceList))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(V1PersistentVolumeClaimList))]
[JsonSerializable(typeof(V1PersistentVolume))]
[JsonSerializable(typeof(V1PersistentVolumeList))]
[JsonSerializable(typeof(Authenticationv1TokenRequest))]
[JsonSerializable(typeof(V1SubjectAccessReview))]
[JsonSerializable(typeof(V1DeleteOptions))]
[JsonSerializable(typeof(V1Status))]
internal sealed partial class AgentJson : JsonSerializerContext;

/// <summary>
/// Times as the API writes them (RFC 3339 in UTC, microseconds for the fields that keep them) and reads them with any
/// precision up to nanoseconds, which .NET's seven digits cannot hold.
/// </summary>
internal sealed class ApiTimeConverter : JsonConverter<DateTime>
{
    private const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.ffffff'Z'";
    private static readonly string[] s_readFormats = ["yyyy'-'MM'-'dd'T'HH':'mm':'ssK", "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFK"];

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("a time is null");
        // nanoseconds: the eighth and ninth digits of the fraction are dropped
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }
            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }
        return DateTimeOffset.TryParseExact(text, s_readFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime
            : throw new JsonException($"\"{reader.GetString()}\" is not an RFC 3339 time");
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        // a time without a kind is the agent's own, taken in UTC
        writer.WriteStringValue((value.Kind == DateTimeKind.Unspecified ? value : value.ToUniversalTime()).ToString(Format, CultureInfo.InvariantCulture));
}
