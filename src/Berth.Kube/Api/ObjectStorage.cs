using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Resources;
using Berth.Store;

namespace Berth.Kube.Api;

/// <summary>
/// Where Kubernetes objects live in the store, and how they are kept there: stored without
/// <c>metadata.resourceVersion</c>, which is the store's mod revision and is filled in on every read. The typed
/// <see cref="Decode(ResourceType, StoreEntry)"/> and <see cref="Encode(ResourceType, JsonObject)"/> are where a
/// resource that serves another's objects (<see cref="StoredAs"/>) converts them, so every verb sees its own form.
/// </summary>
internal static class ObjectStorage
{
    /// <summary><c>/k8s/{cluster}/{group}/{resource}/[{namespace}/]</c>; all namespaces when <paramref name="ns"/> is null.</summary>
    public static string Prefix(string cluster, ResourceType type, string? ns) =>
        type.Namespaced && ns is not null
            ? $"/k8s/{cluster}/{type.StorageGroupSegment}/{type.StoragePlural}/{ns}/"
            : $"/k8s/{cluster}/{type.StorageGroupSegment}/{type.StoragePlural}/";

    public static string Key(string cluster, ResourceType type, string? ns, string name) => Prefix(cluster, type, ns) + name;

    /// <summary>The resource, namespace and name a store key names; null for a key of no served resource.</summary>
    public static (ResourceType Type, string? Namespace, string Name)? Parse(string key, ResourceRegistry registry)
    {
        var parts = key.Split('/');
        // "", "k8s", cluster, group, plural, [namespace,] name
        if (parts.Length < 6 || registry.FindStored(parts[3], parts[4]) is not { } type || parts.Length != (type.Namespaced ? 7 : 6))
        {
            return null;
        }
        return (type, type.Namespaced ? parts[5] : null, parts[^1]);
    }

    public static JsonObject Decode(StoreEntry entry) => Decode(entry.Value, entry.ModRevision);

    /// <summary>A stored object in the form <paramref name="type"/> serves it.</summary>
    public static JsonObject Decode(ResourceType type, StoreEntry entry) => Served(type, Decode(entry));

    /// <summary>A stored value, read at <paramref name="revision"/>, in the form <paramref name="type"/> serves it.</summary>
    public static JsonObject Decode(ResourceType type, ReadOnlyMemory<byte> value, long revision) => Served(type, Decode(value, revision));

    /// <summary>An object of <paramref name="type"/> as it is kept in the store.</summary>
    public static byte[] Encode(ResourceType type, JsonObject obj) => Encode(type.StoredAs is { } storedAs ? storedAs.Converter.ToStored(obj) : obj);

    private static JsonObject Served(ResourceType type, JsonObject stored) =>
        type.StoredAs is { } storedAs ? storedAs.Converter.FromStored(stored) : stored;

    public static JsonObject Decode(ReadOnlyMemory<byte> value, long revision)
    {
        var obj = JsonNode.Parse(value.Span)!.AsObject();
        if (obj["metadata"] is JsonObject metadata)
        {
            metadata["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return obj;
    }

    /// <summary>
    /// Writes a stored object as an item of a typed list, straight from its stored bytes: without <c>kind</c> and
    /// <c>apiVersion</c>, as kube-apiserver sends list items, and with its resourceVersion put first in its
    /// metadata. Every other value is copied as stored, never parsed into objects, so a list of many objects costs
    /// little more than its bytes.
    /// </summary>
    public static void WriteListItem(Utf8JsonWriter writer, StoreEntry entry) =>
        Copy(writer, entry.Value.Span, entry.ModRevision, keep: name => name is not ("kind" or "apiVersion"), keepInMetadata: _ => true);

    /// <summary>
    /// A stored object as the server's informers keep it: without <c>metadata.managedFields</c>, which no
    /// controller reads (kube-controller-manager's and kube-scheduler's informers drop them too). The object is
    /// copied without them before it is parsed, so what the cache holds is only the object's own fields.
    /// </summary>
    public static JsonObject DecodeForCache(ReadOnlyMemory<byte> value, long revision) =>
        DecodeCopy(value, revision, keep: _ => true, keepInMetadata: field => field != "managedFields");

    /// <summary>
    /// Only the type and the named metadata fields of a stored object, as a metadata-only informer reads them
    /// (kube-controller-manager's garbage collector watches every kind that way): the rest is never parsed.
    /// </summary>
    public static JsonObject DecodeMetadata(ReadOnlyMemory<byte> value, long revision, IReadOnlySet<string> fields) =>
        DecodeCopy(value, revision, keep: name => name is "kind" or "apiVersion" or "metadata", keepInMetadata: fields.Contains);

    private static JsonObject DecodeCopy(ReadOnlyMemory<byte> value, long revision, Func<string, bool> keep, Func<string, bool> keepInMetadata)
    {
        var buffer = s_decodeBuffer ??= new ArrayBufferWriter<byte>();
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Copy(writer, value.Span, revision, keep, keepInMetadata);
        }
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_decodeBuffer;

    /// <summary>
    /// Copies a stored object value by value, as raw bytes, keeping the top-level and metadata fields the predicates
    /// keep and putting <paramref name="revision"/> first in its metadata as its resourceVersion.
    /// </summary>
    private static void Copy(Utf8JsonWriter writer, ReadOnlySpan<byte> stored, long revision, Func<string, bool> keep, Func<string, bool> keepInMetadata)
    {
        var reader = new Utf8JsonReader(stored);
        reader.Read(); // the object's start
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!keep(name))
            {
                reader.Skip();
            }
            else if (name == "metadata" && reader.TokenType == JsonTokenType.StartObject)
            {
                writer.WritePropertyName(name);
                writer.WriteStartObject();
                writer.WriteString("resourceVersion", revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var field = reader.GetString()!;
                    reader.Read();
                    if (!keepInMetadata(field))
                    {
                        reader.Skip();
                        continue;
                    }
                    writer.WritePropertyName(field);
                    CopyValue(ref reader, writer, stored);
                }
                writer.WriteEndObject();
            }
            else
            {
                writer.WritePropertyName(name);
                CopyValue(ref reader, writer, stored);
            }
        }
        writer.WriteEndObject();
    }

    /// <summary>Copies the value the reader is on, whole, as its raw bytes.</summary>
    private static void CopyValue(ref Utf8JsonReader reader, Utf8JsonWriter writer, ReadOnlySpan<byte> stored)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        writer.WriteRawValue(stored[start..(int)reader.BytesConsumed], skipInputValidation: true);
    }

    /// <summary>The object just written, as a read would return it: with the revision of the write.</summary>
    public static JsonObject Stamp(JsonObject obj, StoreEntry written)
    {
        obj["metadata"]!["resourceVersion"] = written.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return obj;
    }

    public static byte[] Encode(JsonObject obj)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        var resourceVersion = metadata["resourceVersion"];
        metadata.Remove("resourceVersion");
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj);
        }
        finally
        {
            if (resourceVersion is not null)
            {
                metadata["resourceVersion"] = resourceVersion;
            }
        }
    }
}
