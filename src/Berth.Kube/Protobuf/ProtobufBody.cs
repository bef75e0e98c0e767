using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Schema;
using Google.Protobuf;

namespace Berth.Kube.Protobuf;

/// <summary>A protobuf body that cannot be read as the message its kind is sent as.</summary>
internal class ProtobufDecodeException(string message) : Exception(message);

/// <summary>A protobuf body of a kind that has no protobuf form here, as custom resources have none in Kubernetes.</summary>
internal sealed class ProtobufUnsupportedException(string message) : ProtobufDecodeException(message);

/// <summary>
/// Reads the protobuf request bodies of kubectl's typed commands into the JSON objects the handler takes. The wire
/// form: the four bytes <c>k8s\0</c>, then a <c>runtime.Unknown</c> (1: typeMeta {1: apiVersion, 2: kind}, 2: raw,
/// 3: contentEncoding, 4: contentType) whose <c>raw</c> is the object's message. Go's encoder writes every
/// non-pointer field, so empty strings, zeros and false read as unset, as they would in Go; empty messages stay
/// (<c>resources: {}</c>), and a zero time is no time.
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private const int MaxDepth = 64;

    private static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>
    /// Decodes <paramref name="body"/>. When its type is not <paramref name="apiVersion"/>/<paramref name="kind"/>, only
    /// the type is returned, for the caller to refuse it as it refuses a JSON body of another kind.
    /// </summary>
    public static JsonObject Decode(ReadOnlySpan<byte> body, TypeSchema schema, string apiVersion, string kind, ProtoFieldTable table)
    {
        if (!body.StartsWith(Magic))
        {
            throw new ProtobufDecodeException("the body does not start with the Kubernetes protobuf prefix");
        }
        var envelope = new CodedInputStream(body[Magic.Length..].ToArray());
        string sentVersion = "", sentKind = "";
        var raw = ByteString.Empty;
        uint tag;
        while ((tag = envelope.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    var typeMeta = ReadMessage(envelope, tag);
                    uint typeTag;
                    while ((typeTag = typeMeta.ReadTag()) != 0)
                    {
                        switch (WireFormat.GetTagFieldNumber(typeTag))
                        {
                            case 1: sentVersion = ReadString(typeMeta, typeTag); break;
                            case 2: sentKind = ReadString(typeMeta, typeTag); break;
                            default: typeMeta.SkipLastField(); break;
                        }
                    }
                    break;
                case 2:
                    Expect(tag, WireFormat.WireType.LengthDelimited, "raw");
                    raw = envelope.ReadBytes();
                    break;
                case 3:
                    if (ReadString(envelope, tag) is { Length: > 0 } encoding)
                    {
                        throw new ProtobufDecodeException($"content encoding {encoding} is not supported");
                    }
                    break;
                default:
                    envelope.SkipLastField();
                    break;
            }
        }
        if (sentVersion != apiVersion || sentKind != kind)
        {
            return new JsonObject { ["apiVersion"] = sentVersion, ["kind"] = sentKind };
        }
        var obj = DecodeMessage(raw.CreateCodedInput(), schema, table, 0);
        obj.Insert(0, "apiVersion", sentVersion);
        obj.Insert(1, "kind", sentKind);
        // Parsed again from its text, so its numbers read as any integer type, as those of a JSON body do.
        return JsonNode.Parse(obj.ToJsonString())!.AsObject();
    }

    private static JsonObject DecodeMessage(CodedInputStream input, TypeSchema schema, ProtoFieldTable table, int depth, string? message = null)
    {
        if (depth > MaxDepth)
        {
            throw new ProtobufDecodeException("the message nests too deeply");
        }
        message ??= schema.Name is { } component ? ProtoFieldTable.MessageName(component) : "";
        var fields = table.FieldsOf(message) ?? throw new ProtobufUnsupportedException($"no protobuf message is known for {schema.Name}");
        var obj = new JsonObject();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (!fields.TryGetValue(WireFormat.GetTagFieldNumber(tag), out var protoName))
            {
                input.SkipLastField(); // as Go's generated code passes over fields it does not know
                continue;
            }
            if (ProtoFieldTable.JsonName(schema, protoName) is not { } name)
            {
                if (table.EmbeddedMessage(message, protoName) is { } embedded)
                {
                    // an embedded struct: its fields are the parent's own in JSON
                    foreach (var (inlined, value) in DecodeMessage(ReadMessage(input, tag), schema, table, depth + 1, embedded).ToList())
                    {
                        obj[inlined] = value?.DeepClone();
                    }
                }
                else
                {
                    input.SkipLastField();
                }
                continue;
            }
            var field = schema.Properties[name].Schema;
            switch (field.Kind)
            {
                case SchemaKind.Array:
                    var array = obj[name] as JsonArray ?? (JsonArray)(obj[name] = new JsonArray());
                    if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited && field.Items!.Kind is SchemaKind.Integer or SchemaKind.Boolean)
                    {
                        var packed = input.ReadBytes().CreateCodedInput();
                        while (!packed.IsAtEnd)
                        {
                            array.Add(field.Items.Kind == SchemaKind.Boolean ? JsonValue.Create(packed.ReadBool()) : JsonValue.Create(packed.ReadInt64()));
                        }
                        break;
                    }
                    array.Add(DecodeValue(input, tag, field.Items!, name, table, depth, keepZero: true));
                    break;
                case SchemaKind.Map:
                    var map = obj[name] as JsonObject ?? (JsonObject)(obj[name] = new JsonObject());
                    var (key, value) = DecodeMapEntry(ReadMessage(input, tag), field.Items!, name, table, depth);
                    map[key] = value;
                    break;
                default:
                    if (DecodeValue(input, tag, field, name, table, depth, keepZero: false) is { } decoded)
                    {
                        obj[name] = decoded;
                    }
                    else
                    {
                        obj.Remove(name);
                    }
                    break;
            }
        }
        return obj;
    }

    /// <summary>A map entry: 1 is the key, 2 the value; an entry without a value holds the value type's zero.</summary>
    private static (string Key, JsonNode? Value) DecodeMapEntry(CodedInputStream entry, TypeSchema valueSchema, string name, ProtoFieldTable table, int depth)
    {
        var key = "";
        JsonNode? value = null;
        uint tag;
        while ((tag = entry.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: key = ReadString(entry, tag); break;
                case 2: value = DecodeValue(entry, tag, valueSchema, name, table, depth, keepZero: true); break;
                default: entry.SkipLastField(); break;
            }
        }
        return (key, value ?? (valueSchema.Kind switch
        {
            SchemaKind.String => JsonValue.Create(""),
            SchemaKind.Integer => JsonValue.Create(0),
            SchemaKind.Boolean => JsonValue.Create(false),
            SchemaKind.Object => new JsonObject(),
            _ => null,
        }));
    }

    private static JsonNode? DecodeValue(CodedInputStream input, uint tag, TypeSchema schema, string name, ProtoFieldTable table, int depth, bool keepZero)
    {
        switch (schema.Kind)
        {
            case SchemaKind.String when schema.Format == "byte":
                Expect(tag, WireFormat.WireType.LengthDelimited, name);
                var bytes = input.ReadBytes();
                return bytes.Length == 0 && !keepZero ? null : bytes.ToBase64();
            case SchemaKind.String when schema.Format == "date-time":
                return DecodeTime(ReadMessage(input, tag));
            case SchemaKind.String:
                var text = ReadString(input, tag);
                return text.Length == 0 && !keepZero ? null : text;
            case SchemaKind.Integer:
                Expect(tag, WireFormat.WireType.Varint, name);
                var number = input.ReadInt64();
                return number == 0 && !keepZero ? null : number;
            case SchemaKind.Boolean:
                Expect(tag, WireFormat.WireType.Varint, name);
                var flag = input.ReadBool();
                return !flag && !keepZero ? null : flag;
            case SchemaKind.Number:
                Expect(tag, WireFormat.WireType.Fixed64, name);
                var real = input.ReadDouble();
                return real == 0 && !keepZero ? null : real;
            case SchemaKind.Object:
                return DecodeMessage(ReadMessage(input, tag), schema, table, depth + 1);
            case SchemaKind.IntOrString:
                return DecodeIntOrString(ReadMessage(input, tag));
            case SchemaKind.Quantity:
                return DecodeSingleString(ReadMessage(input, tag));
            case SchemaKind.Any:
                return DecodeRaw(ReadMessage(input, tag), name);
            default:
                throw new ProtobufDecodeException($"field {name}: nested lists and maps are not read from protobuf");
        }
    }

    /// <summary>metav1.Time and MicroTime: 1 seconds, 2 nanos since the epoch; all zero is no time.</summary>
    private static JsonNode? DecodeTime(CodedInputStream input)
    {
        long seconds = 0;
        long nanos = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: Expect(tag, WireFormat.WireType.Varint, "seconds"); seconds = input.ReadInt64(); break;
                case 2: Expect(tag, WireFormat.WireType.Varint, "nanos"); nanos = input.ReadInt32(); break;
                default: input.SkipLastField(); break;
            }
        }
        if (seconds == 0 && nanos == 0)
        {
            return null;
        }
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100).UtcDateTime;
        return time.ToString(nanos == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>intstr.IntOrString: 1 type (0 int, 1 string), 2 intVal, 3 strVal.</summary>
    private static JsonValue DecodeIntOrString(CodedInputStream input)
    {
        long type = 0, intValue = 0;
        var stringValue = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: Expect(tag, WireFormat.WireType.Varint, "type"); type = input.ReadInt64(); break;
                case 2: Expect(tag, WireFormat.WireType.Varint, "intVal"); intValue = input.ReadInt32(); break;
                case 3: stringValue = ReadString(input, tag); break;
                default: input.SkipLastField(); break;
            }
        }
        return type == 1 ? JsonValue.Create(stringValue) : JsonValue.Create(intValue);
    }

    /// <summary>resource.Quantity: its string form in field 1.</summary>
    private static JsonNode DecodeSingleString(CodedInputStream input)
    {
        var value = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                value = ReadString(input, tag);
            }
            else
            {
                input.SkipLastField();
            }
        }
        return value;
    }

    /// <summary>runtime.RawExtension, metav1.FieldsV1 and the like: JSON bytes in field 1.</summary>
    private static JsonNode? DecodeRaw(CodedInputStream input, string name)
    {
        var raw = ByteString.Empty;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                raw = input.ReadBytes();
            }
            else
            {
                input.SkipLastField();
            }
        }
        if (raw.Length == 0)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(raw.Span);
        }
        catch (JsonException e)
        {
            throw new ProtobufDecodeException($"field {name}: the embedded object is not JSON: {e.Message}");
        }
    }

    private static CodedInputStream ReadMessage(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.LengthDelimited, $"field {WireFormat.GetTagFieldNumber(tag)}");
        return input.ReadBytes().CreateCodedInput();
    }

    private static string ReadString(CodedInputStream input, uint tag)
    {
        Expect(tag, WireFormat.WireType.LengthDelimited, $"field {WireFormat.GetTagFieldNumber(tag)}");
        return input.ReadString();
    }

    private static void Expect(uint tag, WireFormat.WireType expected, string name)
    {
        if (WireFormat.GetTagWireType(tag) != expected)
        {
            throw new ProtobufDecodeException($"{name} has wire type {WireFormat.GetTagWireType(tag)}, not {expected}");
        }
    }
}
