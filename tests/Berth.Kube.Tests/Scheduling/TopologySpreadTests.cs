using System.Text.Json.Nodes;
using Berth.Kube.Scheduling;
using static Berth.Kube.Tests.Scheduling.Cluster;

namespace Berth.Kube.Tests.Scheduling;

public sealed class TopologySpreadTests
{
    private const string Zone = "topology.kubernetes.io/zone";

    private static string Spread(string key, int maxSkew = 1, string when = "DoNotSchedule", string extra = "") =>
        """{"topologySpreadConstraints":[{"maxSkew":SKEW,"topologyKey":"KEY","whenUnsatisfiable":"WHEN","labelSelector":{"matchLabels":{"app":"web"}}EXTRA}]}"""
            .Replace("SKEW", maxSkew.ToString(System.Globalization.CultureInfo.InvariantCulture)).Replace("KEY", key).Replace("WHEN", when).Replace("EXTRA", extra);

    private static NodeInfo InZone(string name, string zone) => Node(name, $$"""{"{{Zone}}":"{{zone}}"}""");

    private static JsonObject Web(string name) => Pod(name, """{"app":"web"}""");

    [Fact]
    public void Check_SkewBeyondMax_RejectsTheFullerZone()
    {
        var a = InZone("a", "a").With(Web("w1")).With(Web("w2"));
        var b = InZone("b", "b").With(Web("w3"));
        var pod = Pod("w4", """{"app":"web"}""", Spread(Zone));

        Assert.Equal([TopologySpreadFilter.NotMatch, ""], Verdicts(pod, a, b));
    }

    [Fact]
    public void Check_NodeWithoutTheTopologyLabel_IsUnresolvable()
    {
        var pod = Pod("w1", """{"app":"web"}""", Spread(Zone));
        var state = State(pod, Node("bare"));

        var verdict = NodeFilters.Check(state, state.Cluster.Nodes[0]);

        Assert.Equal([TopologySpreadFilter.MissingLabel], verdict.Reasons);
        Assert.True(verdict.IsUnresolvable);
    }

    [Fact]
    public void Check_MinDomains_CountsMissingDomainsAsEmpty()
    {
        var a = InZone("a", "a");
        var b = InZone("b", "b").With(Web("w1"));
        var pod = Pod("w2", """{"app":"web"}""", Spread(Zone, extra: ",\"minDomains\":3"));

        Assert.Equal(["", TopologySpreadFilter.NotMatch], Verdicts(pod, a, b));
    }

    [Fact]
    public void Check_TaintedNodesDomains_CountOnlyUnderTheIgnorePolicy()
    {
        // zone c's only node is tainted: ignoring taints (the default) it is the emptiest domain; honoring them, it is none
        var a = InZone("a", "a").With(Web("w1"));
        var b = InZone("b", "b").With(Web("w2"));
        var c = Node("c");
        c.SetNode(JsonNode.Parse("""{"metadata":{"name":"c","labels":{"topology.kubernetes.io/zone":"c"}},"spec":{"taints":[{"key":"gpu","effect":"NoSchedule"}]},"status":{"allocatable":{"cpu":"4","pods":"110"}}}""")!.AsObject());
        var ignoring = Pod("w3", """{"app":"web"}""", Spread(Zone));
        var honoring = Pod("w3", """{"app":"web"}""", Spread(Zone, extra: ",\"nodeTaintsPolicy\":\"Honor\""));

        Assert.Equal(TopologySpreadFilter.NotMatch, Verdicts(ignoring, a, b, c)[0]);
        Assert.Equal("", Verdicts(honoring, a, b, c)[0]);
    }

    [Fact]
    public void Score_ScheduleAnyway_PrefersTheEmptierDomain()
    {
        var a = InZone("a", "a").With(Web("w1"));
        var b = InZone("b", "b");
        var pod = Pod("w2", """{"app":"web"}""", Spread(Zone, when: "ScheduleAnyway"));

        var scores = TopologySpreadScore.Score(State(pod, a, b), [a, b])!;

        Assert.True(scores[1] > scores[0], string.Join(",", scores));
        Assert.Equal(100, scores[1]);
    }

    [Fact]
    public void Score_ControllersPodWithoutConstraints_GetsTheDefaultSpreading()
    {
        var owned = """{"ownerReferences":[{"kind":"ReplicaSet","name":"web","uid":"rs-1","controller":true}]}""";
        JsonObject Replica(string name)
        {
            var pod = Web(name);
            ((JsonObject)pod["metadata"]!)["ownerReferences"] = JsonNode.Parse(owned)!["ownerReferences"]!.DeepClone();
            return pod;
        }
        var a = Node("a").With(Replica("w1")).With(Replica("w2"));
        var b = Node("b").With(Web("loose"));

        var scores = TopologySpreadScore.Score(State(Replica("w3"), a, b), [a, b])!;

        Assert.True(scores[1] > scores[0], string.Join(",", scores));
        Assert.Null(TopologySpreadScore.Score(State(Web("plain"), a, b), [a, b]));
    }
}
