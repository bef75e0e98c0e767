using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Resources;
using Berth.Store;

namespace Berth.Kube.Api;

/// <summary>
/// Where Kubernetes objects live in the store, and how they are kept there: stored without
/// <c>metadata.resourceVersion</c>, which is the store's mod revision and is filled in on every read.
/// </summary>
internal static class ObjectStorage
{
    /// <summary><c>/k8s/{cluster}/{group}/{resource}/[{namespace}/]</c>; all namespaces when <paramref name="ns"/> is null.</summary>
    public static string Prefix(string cluster, ResourceType type, string? ns) =>
        type.Namespaced && ns is not null
            ? $"/k8s/{cluster}/{type.GroupSegment}/{type.Plural}/{ns}/"
            : $"/k8s/{cluster}/{type.GroupSegment}/{type.Plural}/";

    public static string Key(string cluster, ResourceType type, string? ns, string name) => Prefix(cluster, type, ns) + name;

    public static JsonObject Decode(StoreEntry entry) => Decode(entry.Value, entry.ModRevision);

    public static JsonObject Decode(ReadOnlyMemory<byte> value, long revision)
    {
        var obj = JsonNode.Parse(value.Span)!.AsObject();
        if (obj["metadata"] is JsonObject metadata)
        {
            metadata["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return obj;
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
