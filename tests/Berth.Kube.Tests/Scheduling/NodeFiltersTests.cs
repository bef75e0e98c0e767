using System.Text.Json.Nodes;
using Berth.Kube.Scheduling;

namespace Berth.Kube.Tests.Scheduling;

public sealed class NodeFiltersTests
{
    private static NodeInfo Node(string json, params (string Key, JsonObject Pod)[] pods)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var info = new NodeInfo(node["metadata"]!["name"]!.GetValue<string>());
        info.SetNode(node);
        foreach (var (key, pod) in pods)
        {
            info.AddPod(key, PodDemand.Of(pod));
        }
        return info;
    }

    private static JsonObject Pod(string json) => JsonNode.Parse(json)!.AsObject();

    private const string Small = """{"metadata":{"name":"n","labels":{"zone":"a","gen":"5"}},"status":{"allocatable":{"cpu":"1","memory":"1Gi","pods":"2"}}}""";

    private static IReadOnlyList<string> Check(JsonObject pod, NodeInfo node) => NodeFilters.Check(pod, PodDemand.Of(pod), node);

    [Fact]
    public void Check_PodThatFits_HasNoReasons() =>
        Assert.Empty(Check(Pod("""{"spec":{"containers":[{"resources":{"requests":{"cpu":"500m","memory":"512Mi"}}}]}}"""), Node(Small)));

    [Fact]
    public void Check_TooLarge_NamesEachResourceShort_AndTooManyPods()
    {
        var running = Pod("""{"spec":{"containers":[{"resources":{"requests":{"cpu":"600m"}}}]}}""");
        var node = Node(Small, ("a", running), ("b", running));
        var pod = Pod("""{"spec":{"containers":[{"resources":{"requests":{"memory":"2Gi","cpu":"1"}}}]}}""");

        Assert.Equal(["Too many pods", "Insufficient cpu", "Insufficient memory"], Check(pod, node));
    }

    [Fact]
    public void Check_InitContainerLargerThanTheSum_Counts()
    {
        var pod = Pod("""{"spec":{"initContainers":[{"resources":{"requests":{"cpu":"2"}}}],"containers":[{"resources":{"requests":{"cpu":"100m"}}}]}}""");

        Assert.Equal(["Insufficient cpu"], Check(pod, Node(Small)));
    }

    [Fact]
    public void Check_CordonedNode_UnlessTolerated()
    {
        var node = Node("""{"metadata":{"name":"n"},"spec":{"unschedulable":true},"status":{"allocatable":{"pods":"10"}}}""");

        Assert.Equal([NodeFilters.Unschedulable], Check(Pod("""{"spec":{}}"""), node));
        Assert.Empty(Check(Pod("""{"spec":{"tolerations":[{"key":"node.kubernetes.io/unschedulable","operator":"Exists","effect":"NoSchedule"}]}}"""), node));
    }

    [Theory]
    [InlineData("""[{"key":"dedicated","operator":"Equal","value":"gpu","effect":"NoSchedule"}]""", true)]
    [InlineData("""[{"key":"dedicated","value":"gpu"}]""", true)]
    [InlineData("""[{"operator":"Exists"}]""", true)]
    [InlineData("""[{"key":"dedicated","value":"cpu"}]""", false)]
    [InlineData("""[{"key":"dedicated","operator":"Exists","effect":"NoExecute"}]""", false)]
    [InlineData("""[]""", false)]
    public void Check_Taint_NeedsAMatchingToleration(string tolerations, bool fits)
    {
        var node = Node("""{"metadata":{"name":"n"},"spec":{"taints":[{"key":"dedicated","value":"gpu","effect":"NoSchedule"}]},"status":{"allocatable":{"pods":"10"}}}""");

        var reasons = Check(Pod("""{"spec":{"tolerations":""" + tolerations + "}}"), node);

        Assert.Equal(fits ? [] : ["node(s) had untolerated taint {dedicated: gpu}"], reasons);
    }

    [Theory]
    [InlineData("""{"nodeSelector":{"zone":"a"}}""", true)]
    [InlineData("""{"nodeSelector":{"zone":"b"}}""", false)]
    [InlineData("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["b"]}]},{"matchExpressions":[{"key":"gen","operator":"Gt","values":["4"]}]}]}}}}""", true)]
    [InlineData("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"gen","operator":"Lt","values":["5"]}]}]}}}}""", false)]
    [InlineData("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"spot","operator":"DoesNotExist"}],"matchFields":[{"key":"metadata.name","operator":"In","values":["n"]}]}]}}}}""", true)]
    [InlineData("""{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{}]}}}}""", false)]
    public void Check_NodeSelectorAndAffinity(string spec, bool fits)
    {
        var reasons = Check(Pod("""{"spec":""" + spec + "}"), Node(Small));

        Assert.Equal(fits ? [] : [NodeFilters.AffinityMismatch], reasons);
    }

    [Fact]
    public void Check_HostPortTaken_OnTheSameProtocol()
    {
        var web = Pod("""{"spec":{"containers":[{"ports":[{"containerPort":80,"hostPort":8080}]}]}}""");
        var node = Node(Small, ("web", web));

        Assert.Equal([NodeFilters.PortsTaken], Check(web, node));
        Assert.Empty(Check(Pod("""{"spec":{"containers":[{"ports":[{"containerPort":80,"hostPort":8080,"protocol":"UDP"}]}]}}"""), node));
    }
}
