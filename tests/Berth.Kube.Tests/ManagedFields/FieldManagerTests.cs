using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.ApiExtensions;
using Berth.Kube.Schema;

namespace Berth.Kube.Tests.ManagedFields;

public sealed class FieldManagerTests
{
    private static readonly ResourceType s_deployments = ResourceRegistry.BuiltIn().Find("apps", "v1", "deployments")!;
    private static readonly ResourceType s_configMaps = ResourceRegistry.BuiltIn().Find("", "v1", "configmaps")!;
    private static readonly DateTimeOffset s_now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void RecordUpdate_OfANewObject_OwnsWhatItSet_ValueStructsWithoutDot()
    {
        var obj = Deployment(replicas: 2);

        FieldManager.RecordUpdate(s_deployments, null, obj, new FieldOwner("kubectl-create"), s_now);

        var entry = Entries(obj).Single();
        Assert.Equal("kubectl-create", entry["manager"]!.GetValue<string>());
        Assert.Equal("Update", entry["operation"]!.GetValue<string>());
        Assert.Equal("2026-01-02T03:04:05Z", entry["time"]!.GetValue<string>());
        Assert.Equal(
            """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            Json(entry["fieldsV1"]));
    }

    [Fact]
    public void RecordUpdate_TakesChangedFieldsFromOtherManagers_AndForgetsRemovedOnes()
    {
        var old = ConfigMap("""{"a":"1","b":"2"}""");
        FieldManager.RecordUpdate(s_configMaps, null, old, new FieldOwner("creator"), s_now);
        var updated = (JsonObject)old.DeepClone();
        updated["data"] = JsonNode.Parse("""{"a":"changed","c":"3"}""");

        FieldManager.RecordUpdate(s_configMaps, old, updated, new FieldOwner("editor"), s_now.AddMinutes(1));

        var entries = Entries(updated);
        Assert.Equal("""{"f:data":{}}""", entries.Single(e => e["manager"]!.GetValue<string>() == "creator")["fieldsV1"]!.ToJsonString());
        Assert.Equal("""{"f:data":{"f:a":{},"f:c":{}}}""", entries.Single(e => e["manager"]!.GetValue<string>() == "editor")["fieldsV1"]!.ToJsonString());
    }

    [Fact]
    public void RecordUpdate_OneEmptyEntry_ClearsManagedFields()
    {
        var old = ConfigMap("""{"a":"1"}""");
        FieldManager.RecordUpdate(s_configMaps, null, old, new FieldOwner("creator"), s_now);
        var updated = (JsonObject)old.DeepClone();
        updated["metadata"]!["managedFields"] = new JsonArray(new JsonObject());

        FieldManager.RecordUpdate(s_configMaps, old, updated, new FieldOwner("editor"), s_now);

        Assert.Null(updated["metadata"]!["managedFields"]);
    }

    [Fact]
    public void RecordUpdate_KeepsTenUpdaters_MergingTheOldestIntoAncientChanges()
    {
        var obj = ConfigMap("""{"k0":"v"}""");
        FieldManager.RecordUpdate(s_configMaps, null, obj, new FieldOwner("writer-0"), s_now);
        for (var i = 1; i < 12; i++)
        {
            var next = (JsonObject)obj.DeepClone();
            next["data"]![$"k{i}"] = "v";
            FieldManager.RecordUpdate(s_configMaps, obj, next, new FieldOwner($"writer-{i}"), s_now.AddMinutes(i));
            obj = next;
        }

        var entries = Entries(obj);
        Assert.Equal(10, entries.Count);
        var ancient = entries.Single(e => e["manager"]!.GetValue<string>() == "ancient-changes");
        Assert.Equal("""{"f:data":{".":{},"f:k0":{},"f:k1":{},"f:k2":{}}}""", Json(ancient["fieldsV1"]));
        Assert.DoesNotContain(entries, e => e["manager"]!.GetValue<string>() is "writer-0" or "writer-1" or "writer-2");
    }

    [Fact]
    public void RecordUpdate_ManyUpdatersInOneSecond_ShareOneAncientChangesEntry()
    {
        var obj = ConfigMap("""{"k0":"v"}""");
        FieldManager.RecordUpdate(s_configMaps, null, obj, new FieldOwner("Writer-0"), s_now);
        for (var i = 1; i < 14; i++)
        {
            var next = (JsonObject)obj.DeepClone();
            next["data"]![$"k{i}"] = "v";
            FieldManager.RecordUpdate(s_configMaps, obj, next, new FieldOwner($"Writer-{i}"), s_now);
            obj = next;
        }

        var entries = Entries(obj);
        Assert.Equal(10, entries.Count);
        Assert.Single(entries, e => e["manager"]!.GetValue<string>() == "ancient-changes");
    }

    [Fact]
    public void Apply_ByKubectl_AfterClientSideApply_StillConflictsOnFieldsChangedSince()
    {
        var live = Deployment(replicas: 5);
        live["metadata"]!["annotations"] = new JsonObject
        {
            ["kubectl.kubernetes.io/last-applied-configuration"] = Deployment(replicas: 2).ToJsonString(),
        };
        FieldManager.RecordUpdate(s_deployments, null, live, new FieldOwner("kubectl-client-side-apply"), s_now);
        var config = Deployment(replicas: 3);
        config["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:1.28";

        var conflict = Assert.Throws<KubeApiException>(() => FieldManager.Apply(s_deployments, live, config, Applier(), force: false, s_now));

        // the image is as last applied, so taken over; replicas were changed since (2 applied, 5 now), so they conflict
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas", conflict.Message);
    }

    [Fact]
    public void Apply_ChangingAFieldAnotherManagerOwns_IsAConflict_UnlessForced()
    {
        var live = Deployment(replicas: 2);
        FieldManager.RecordUpdate(s_deployments, null, live, new FieldOwner("kubectl-create"), s_now);
        var config = Deployment(replicas: 5);

        var conflict = Assert.Throws<KubeApiException>(() => FieldManager.Apply(s_deployments, live, config, Applier(), force: false, s_now));
        var forced = FieldManager.Apply(s_deployments, live, (JsonObject)config.DeepClone(), Applier(), force: true, s_now);

        Assert.Equal(409, conflict.Code);
        Assert.Equal("Conflict", conflict.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-create\" using apps/v1: .spec.replicas", conflict.Message);
        var cause = conflict.Details!["causes"]!.AsArray().Single()!;
        Assert.Equal("FieldManagerConflict", cause["reason"]!.GetValue<string>());
        Assert.Equal(".spec.replicas", cause["field"]!.GetValue<string>());
        Assert.Equal(5, forced["spec"]!["replicas"]!.GetValue<int>());
        var creator = Entries(forced).Single(e => e["manager"]!.GetValue<string>() == "kubectl-create");
        Assert.DoesNotContain("f:replicas", creator["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ToAnObjectWithoutManagedFields_ConflictsWithBeforeFirstApply()
    {
        var live = Deployment(replicas: 2);

        var conflict = Assert.Throws<KubeApiException>(() => FieldManager.Apply(s_deployments, live, Deployment(replicas: 4), Applier(), force: false, s_now));
        var shared = FieldManager.Apply(s_deployments, live, Deployment(replicas: 2), Applier(), force: false, s_now);

        Assert.Equal("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas", conflict.Message);
        Assert.Equal(["before-first-apply", "kubectl"], Entries(shared).Select(e => e["manager"]!.GetValue<string>()).Order());
    }

    [Fact]
    public void Apply_TheSameValueAnotherManagerSet_SharesIt_WithoutConflict()
    {
        var live = Deployment(replicas: 2);
        FieldManager.RecordUpdate(s_deployments, null, live, new FieldOwner("kubectl-create"), s_now);

        var applied = FieldManager.Apply(s_deployments, live, Deployment(replicas: 2), Applier(), force: false, s_now);

        Assert.All(Entries(applied), e => Assert.Contains("f:replicas", e["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_Again_WithoutAListItem_RemovesIt_AndMergesKeyedLists()
    {
        var first = Deployment(replicas: 1);
        first["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "sidecar", ["image"] = "busybox" });
        var live = FieldManager.Apply(s_deployments, null, first, Applier(), force: false, s_now);
        live["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "Always"; // as defaulting adds it

        var second = FieldManager.Apply(s_deployments, live, Deployment(replicas: 1), Applier(), force: false, s_now);

        var container = second["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        Assert.Equal("web", container["name"]!.GetValue<string>());
        Assert.Equal("Always", container["imagePullPolicy"]!.GetValue<string>()); // nobody's to remove
    }

    [Fact]
    public void Apply_WithManagedFieldsInTheConfiguration_IsBadRequest()
    {
        var config = Deployment(replicas: 1);
        config["metadata"]!["managedFields"] = new JsonArray();

        var error = Assert.Throws<KubeApiException>(() => FieldManager.Apply(s_deployments, null, config, Applier(), force: false, s_now));

        Assert.Equal(400, error.Code);
    }

    [Fact]
    public void Apply_PortsOfOneNumber_AreKeptApart_ByProtocol()
    {
        var config = Deployment(replicas: 1);
        config["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"] = JsonNode.Parse(
            """[{"containerPort":53,"protocol":"UDP","name":"dns"},{"containerPort":53,"name":"dns-tcp"}]""");
        var live = FieldManager.Apply(s_deployments, null, (JsonObject)config.DeepClone(), Applier(), force: false, s_now);

        var again = FieldManager.Apply(s_deployments, live, (JsonObject)config.DeepClone(), Applier(), force: false, s_now);

        Assert.Equal("""[{"containerPort":53,"protocol":"UDP","name":"dns"},{"containerPort":53,"name":"dns-tcp"}]""",
            again["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.ToJsonString());
        Assert.Contains("""k:{\"containerPort\":53,\"protocol\":\"UDP\"}""", Json(Entries(again).Single()["fieldsV1"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_AKeyedListNamingAnItemTwice_IsBadRequest()
    {
        var config = Deployment(replicas: 1);
        config["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "web", ["image"] = "other" });

        var error = Assert.Throws<KubeApiException>(() => FieldManager.Apply(s_deployments, null, config, Applier(), force: false, s_now));

        Assert.Equal(400, error.Code);
        Assert.Contains(".spec.template.spec.containers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_NullsInTheConfiguration_AreNeitherStoredNorOwned()
    {
        var config = Deployment(replicas: 1);
        config["metadata"]!["labels"]!["gone"] = null;

        var applied = FieldManager.Apply(s_deployments, null, config, Applier(), force: false, s_now);

        Assert.Equal("""{"app":"web"}""", applied["metadata"]!["labels"]!.ToJsonString());
        Assert.DoesNotContain("f:gone", Entries(applied).Single()["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_ToACustomResource_MergesListsItsSchemaKeys()
    {
        var schema = CustomResourceSchema.ForKind("example.com", "v1", "Gateway", (JsonObject)JsonNode.Parse("""
            {"type": "object", "properties": {"spec": {"type": "object", "properties": {
              "listeners": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}}}}}}
            """)!);
        var type = new ResourceType("example.com", "v1", "Gateway", "gateways", true, [],
            new CustomResourceStrategy(new JsonObject(), schema, []), schema);
        JsonObject Config(string name, int port) => (JsonObject)JsonNode.Parse(
            $$$"""{"apiVersion":"example.com/v1","kind":"Gateway","metadata":{"name":"gw"},"spec":{"listeners":[{"name":"{{{name}}}","port":{{{port}}}}]}}""")!;
        var first = FieldManager.Apply(type, null, Config("http", 80), new FieldOwner("a", Applies: true), force: false, s_now);

        var both = FieldManager.Apply(type, first, Config("https", 443), new FieldOwner("b", Applies: true), force: false, s_now);

        Assert.Equal("""[{"name":"http","port":80},{"name":"https","port":443}]""", both["spec"]!["listeners"]!.ToJsonString());
    }

    [Fact]
    public void FieldSet_RoundTripsThroughFieldsV1()
    {
        var text = """{"f:data":{".":{},"f:a":{}},"f:spec":{"f:list":{"k:{\"name\":\"x\"}":{".":{},"f:name":{}},"v:\"y\"":{}}}}""";

        var set = FieldSet.FromFieldsV1(JsonNode.Parse(text))!;

        Assert.Equal(text, Json(set.ToFieldsV1()));
        Assert.Equal([".data", ".data.a", ".spec.list[name=\"x\"]", ".spec.list[name=\"x\"].name", ".spec.list[=\"y\"]"],
            set.Paths().Select(FieldSet.Format));
    }

    /// <summary>JSON as the API server writes it, quotes inside strings unescaped.</summary>
    private static string Json(JsonNode? node) =>
        node!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static FieldOwner Applier() => new("kubectl", Applies: true);

    private static List<JsonObject> Entries(JsonObject obj) => [.. obj["metadata"]!["managedFields"]!.AsArray().Select(e => (JsonObject)e!)];

    private static JsonObject ConfigMap(string data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = "cfg", ["namespace"] = "default" },
        ["data"] = JsonNode.Parse(data),
    };

    private static JsonObject Deployment(int replicas) => (JsonObject)JsonNode.Parse($$$"""
        {
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
          "spec": {
            "replicas": {{{replicas}}},
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
              "metadata": {"labels": {"app": "web"}},
              "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}
            }
          }
        }
        """)!;
}
