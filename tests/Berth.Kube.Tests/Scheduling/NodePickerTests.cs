using System.Text.Json.Nodes;
using Berth.Kube.Scheduling;

namespace Berth.Kube.Tests.Scheduling;

public sealed class NodePickerTests
{
    private static NodeInfo Node(string name, string cpu, string memory, string labels = "{}")
    {
        var info = new NodeInfo(name);
        var allocatable = new JsonObject { ["cpu"] = cpu, ["memory"] = memory, ["pods"] = "110" };
        info.SetNode(new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = JsonNode.Parse(labels) },
            ["status"] = new JsonObject { ["allocatable"] = allocatable },
        });
        return info;
    }

    private static JsonObject Pod(string owner = "rs-1", string cpu = "0") => new()
    {
        ["metadata"] = new JsonObject { ["ownerReferences"] = new JsonArray(new JsonObject { ["kind"] = "ReplicaSet", ["uid"] = owner, ["controller"] = true }) },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject { ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpu } } }),
        },
    };

    [Fact]
    public void Pick_PrefersTheNodeWithMoreRoomLeft()
    {
        var small = Node("small", "2", "4Gi");
        var large = Node("large", "8", "16Gi");

        var (node, failure) = new NodePicker(new Random(1)).Pick(Pod(cpu: "1"), PodDemand.Of(Pod(cpu: "1")), [small, large]);

        Assert.Null(failure);
        Assert.Same(large, node);
    }

    [Fact]
    public void Pick_SpreadsAControllersPodsOverZones()
    {
        var a1 = Node("a1", "4", "8Gi", """{"topology.kubernetes.io/zone":"a"}""");
        var a2 = Node("a2", "4", "8Gi", """{"topology.kubernetes.io/zone":"a"}""");
        var b1 = Node("b1", "4", "8Gi", """{"topology.kubernetes.io/zone":"b"}""");
        a1.AddPod("p1", PodDemand.Of(Pod()));
        a2.AddPod("p2", PodDemand.Of(Pod("other")));

        var (node, _) = new NodePicker(new Random(1)).Pick(Pod(), PodDemand.Of(Pod()), [a1, a2, b1]);

        Assert.Same(b1, node);
    }

    [Fact]
    public void Pick_NoNodeFits_SaysWhyForEach()
    {
        var (node, failure) = new NodePicker(new Random(1)).Pick(Pod(cpu: "16"), PodDemand.Of(Pod(cpu: "16")),
            [Node("a", "2", "4Gi"), Node("b", "4", "4Gi")]);

        Assert.Null(node);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu.", failure);
    }
}
