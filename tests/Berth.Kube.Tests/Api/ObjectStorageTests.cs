using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Store;

namespace Berth.Kube.Tests.Api;

public sealed class ObjectStorageTests
{
    [Fact]
    public void WriteListItem_IsTheStoredObject_WithoutItsType_AndWithItsResourceVersion()
    {
        var obj = (JsonObject)JsonNode.Parse("""
            {"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"cfg","labels":{"a":"<b> & \"c\""},"managedFields":[{"manager":"m"}]},
             "data":{"k":"v\u00e9","n":"1"}}
            """)!;
        var entry = new StoreEntry("/k8s/default/core/configmaps/default/cfg", ObjectStorage.Encode(obj), 7, 42);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ObjectStorage.WriteListItem(writer, entry);
        }
        var written = JsonNode.Parse(Encoding.UTF8.GetString(buffer.ToArray()))!;

        var expected = ObjectStorage.Decode(entry);
        expected.Remove("kind");
        expected.Remove("apiVersion");
        Assert.True(JsonNode.DeepEquals(expected, written), written.ToJsonString());
        Assert.Equal("42", written["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public void DecodeForCache_IsTheStoredObject_WithoutItsManagedFields()
    {
        var obj = (JsonObject)JsonNode.Parse("""
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","managedFields":[{"manager":"m","fieldsV1":{"f:spec":{}}}],"uid":"u"},
             "spec":{"nodeName":"n"}}
            """)!;
        var entry = new StoreEntry("/k8s/default/core/pods/default/p", ObjectStorage.Encode(obj), 7, 42);

        var cached = ObjectStorage.DecodeForCache(entry.Value, entry.ModRevision);

        var expected = ObjectStorage.Decode(entry);
        ((JsonObject)expected["metadata"]!).Remove("managedFields");
        Assert.True(JsonNode.DeepEquals(expected, cached), cached.ToJsonString());
        Assert.Equal("42", cached["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public void DecodeMetadata_IsTheTypeAndTheNamedMetadataFields()
    {
        var obj = (JsonObject)JsonNode.Parse("""
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","uid":"u","labels":{"a":"b"},"ownerReferences":[{"uid":"o"}]},
             "spec":{"nodeName":"n"}}
            """)!;

        var view = ObjectStorage.DecodeMetadata(ObjectStorage.Encode(obj), 42, new HashSet<string> { "name", "uid", "ownerReferences" });

        Assert.Equal("""{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"42","name":"p","uid":"u","ownerReferences":[{"uid":"o"}]}}""",
            view.ToJsonString());
    }
}
