using System.Text.Json.Nodes;
using Berth.Kube.Controllers.Workloads;
using Berth.Kube.Scheduling;

namespace Berth.Kube.Tests.Controllers;

public sealed class DaemonPodsTests
{
    private static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonObject Set(string podSpec = "{}") => Json($$$"""
        {"apiVersion":"apps/v1","kind":"DaemonSet",
         "metadata":{"name":"logs","namespace":"ns","uid":"u-1","annotations":{"deprecated.daemonset.template.generation":"3"}},
         "spec":{"template":{"metadata":{"labels":{"app":"logs"}},"spec":{{{podSpec}}} } } }
        """);

    private static JsonObject Node(string name, string labels = "{}", string taints = "[]") =>
        Json($$$"""{"metadata":{"name":"{{{name}}}","labels":{{{labels}}}},"spec":{"taints":{{{taints}}} } }""");

    [Fact]
    public void ShouldRun_FollowsSelectorAffinityAndTaints()
    {
        Assert.Equal((true, true), DaemonPods.ShouldRun(Node("a"), Set()));
        Assert.Equal((false, false), DaemonPods.ShouldRun(Node("a"), Set("""{"nodeSelector":{"role":"infra"}}""")));
        Assert.Equal((true, true), DaemonPods.ShouldRun(Node("a", """{"role":"infra"}"""), Set("""{"nodeSelector":{"role":"infra"}}""")));
        Assert.Equal((false, false), DaemonPods.ShouldRun(Node("a"), Set("""{"nodeName":"b"}""")));
        var affinity = """{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["x"]}]}]}}}}""";
        Assert.Equal((false, false), DaemonPods.ShouldRun(Node("a", """{"zone":"y"}"""), Set(affinity)));
        Assert.Equal((true, true), DaemonPods.ShouldRun(Node("a", """{"zone":"x"}"""), Set(affinity)));
    }

    [Fact]
    public void ShouldRun_NoScheduleTaintKeepsRunningPods_NoExecuteRemovesThem_DaemonTolerationsApply()
    {
        Assert.Equal((false, true), DaemonPods.ShouldRun(Node("a", taints: """[{"key":"dedicated","value":"x","effect":"NoSchedule"}]"""), Set()));
        Assert.Equal((false, false), DaemonPods.ShouldRun(Node("a", taints: """[{"key":"evict","effect":"NoExecute"}]"""), Set()));
        Assert.Equal((true, true), DaemonPods.ShouldRun(Node("a", taints: """[{"key":"dedicated","value":"x","effect":"NoSchedule"}]"""),
            Set("""{"tolerations":[{"key":"dedicated","operator":"Exists"}]}""")));
        // cordoned and unreachable nodes keep their daemon pods, and get them
        Assert.Equal((true, true), DaemonPods.ShouldRun(Node("a", taints: """
            [{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"},{"key":"node.kubernetes.io/unreachable","effect":"NoExecute"}]
            """), Set()));
        Assert.Equal((false, true), DaemonPods.ShouldRun(Node("a", taints: """[{"key":"node.kubernetes.io/network-unavailable","effect":"NoSchedule"}]"""), Set()));
        Assert.Equal((true, true), DaemonPods.ShouldRun(Node("a", taints: """[{"key":"node.kubernetes.io/network-unavailable","effect":"NoSchedule"}]"""),
            Set("""{"hostNetwork":true}""")));
    }

    [Fact]
    public void NewPod_IsForItsNode_WithTheDaemonTolerationsAndLabels()
    {
        var set = Set("""
            {"containers":[{"name":"c","image":"i"}],
             "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
             "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["x","y"]}]}]},
                                         "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":{"matchExpressions":[{"key":"k","operator":"Exists"}]}}]}}}
            """);
        var pod = DaemonPods.NewPod(set, "node-7", "abc12", 3);

        Assert.Equal("logs-", pod["metadata"]!["generateName"]!.GetValue<string>());
        Assert.Equal("""{"app":"logs","pod-template-generation":"3","controller-revision-hash":"abc12"}""", pod["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("DaemonSet", pod["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        var affinity = pod["spec"]!["affinity"]!["nodeAffinity"]!;
        Assert.Equal("""{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["node-7"]}]}]}""",
            affinity["requiredDuringSchedulingIgnoredDuringExecution"]!.ToJsonString());
        Assert.NotNull(affinity["preferredDuringSchedulingIgnoredDuringExecution"]);
        var tolerations = pod["spec"]!["tolerations"]!.AsArray().Select(t => $"{t!["key"]}:{t["effect"]}:{t["tolerationSeconds"]}").ToList();
        Assert.Equal(["node.kubernetes.io/not-ready:NoExecute:", "node.kubernetes.io/unreachable:NoExecute:", "node.kubernetes.io/disk-pressure:NoSchedule:",
            "node.kubernetes.io/memory-pressure:NoSchedule:", "node.kubernetes.io/pid-pressure:NoSchedule:", "node.kubernetes.io/unschedulable:NoSchedule:"], tolerations);
        Assert.Equal("node-7", DaemonPods.TargetNode(pod));
        // the set's own template is left as it was
        Assert.Single(set["spec"]!["template"]!["spec"]!["tolerations"]!.AsArray());

        // the scheduler's node affinity filter reads the term
        Assert.True(NodeSelectors.RequiredMatch(pod, Node("node-7")));
        Assert.False(NodeSelectors.RequiredMatch(pod, Node("node-8")));
    }

    [Fact]
    public void IsUpdated_ByHashOrTemplateGeneration()
    {
        var pod = Json("""{"metadata":{"labels":{"controller-revision-hash":"h1","pod-template-generation":"2"}}}""");
        Assert.True(DaemonPods.IsUpdated(pod, "h1", 5));
        Assert.True(DaemonPods.IsUpdated(pod, "h2", 2));
        Assert.False(DaemonPods.IsUpdated(pod, "h2", 3));
        Assert.False(DaemonPods.IsUpdated(pod, "h2", null));
        Assert.Equal(3, DaemonPods.TemplateGeneration(Set()));
    }

    [Fact]
    public void OldestFirst_BoundPodsThenCreationThenName()
    {
        var pods = new[]
        {
            Json("""{"metadata":{"name":"d","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{}}"""),
            Json("""{"metadata":{"name":"c","creationTimestamp":"2026-01-02T00:00:00Z"},"spec":{"nodeName":"n"}}"""),
            Json("""{"metadata":{"name":"b","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"nodeName":"n"}}"""),
            Json("""{"metadata":{"name":"a","creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"nodeName":"n"}}"""),
        };
        Assert.Equal(["a", "b", "c", "d"], DaemonPods.OldestFirst(pods).Select(p => p["metadata"]!["name"]!.GetValue<string>()));
    }
}
