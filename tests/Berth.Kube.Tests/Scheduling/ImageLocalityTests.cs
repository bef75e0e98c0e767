using System.Text.Json.Nodes;
using Berth.Kube.Scheduling;
using static Berth.Kube.Tests.Scheduling.Cluster;

namespace Berth.Kube.Tests.Scheduling;

public sealed class ImageLocalityTests
{
    private const long Mb = 1024 * 1024;

    private static NodeInfo WithImages(string name, params (string Name, long Size)[] images)
    {
        var list = new JsonArray([.. images.Select(i => (JsonNode)new JsonObject { ["names"] = new JsonArray(i.Name), ["sizeBytes"] = i.Size })]);
        return Node(name, extra: $$""","images":{{list.ToJsonString()}}""");
    }

    private static JsonObject PodWithImage(string image) =>
        Pod("p", spec: $$"""{"containers":[{"name":"app","image":"{{image}}"}]}""");

    [Fact]
    public void Score_LargeImageOnTheNode_ScoresByItsSizeAndSpread()
    {
        var holder = WithImages("holder", ("registry.local/big:1", 500 * Mb));
        var empty = Node("empty");

        var scores = ImageLocalityScore.Score(State(PodWithImage("registry.local/big:1"), holder, empty), [holder, empty]);

        // half the nodes hold it: 250 MB counts, (250 - 23) / (1000 - 23) of 100
        Assert.Equal([23L, 0L], scores);
    }

    [Fact]
    public void Score_ImageWithoutTag_IsLatest_AndSmallImagesScoreNothing()
    {
        var latest = WithImages("a", ("busybox:latest", 900 * Mb));
        var small = WithImages("b", ("tiny:1", 10 * Mb));

        Assert.Equal([43L, 0L], ImageLocalityScore.Score(State(PodWithImage("busybox"), latest, small), [latest, small]));
        Assert.Equal([0L, 0L], ImageLocalityScore.Score(State(PodWithImage("tiny:1"), latest, small), [latest, small]));
    }
}
