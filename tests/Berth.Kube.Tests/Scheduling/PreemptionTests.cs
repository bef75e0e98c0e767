using System.Text.Json.Nodes;
using Berth.Kube.Scheduling;
using static Berth.Kube.Tests.Scheduling.Cluster;

namespace Berth.Kube.Tests.Scheduling;

public sealed class PreemptionTests
{
    private static (PreemptionCandidate? Chosen, string? Failure, string? FitFailure) Preempt(JsonObject pod, IReadOnlyList<DisruptionBudget>? budgets = null,
        params NodeInfo[] nodes)
    {
        var state = State(pod, nodes);
        var placement = new NodePicker(new Random(1)).Pick(state);
        Assert.Null(placement.Node);
        var (chosen, failure) = DefaultPreemption.Find(state, placement, budgets ?? []);
        return (chosen, failure, placement.Failure);
    }

    private static string[] Names(PreemptionCandidate candidate) => [.. candidate.Victims.Select(v => v.Pod.Name)];

    [Fact]
    public void Find_EvictsTheFewestLowerPriorityPodsThatMakeRoom()
    {
        var node = Node("a", cpu: "4")
            .With(Pod("low-1", cpu: "1", priority: 10))
            .With(Pod("low-2", cpu: "2", priority: 20))
            .With(Pod("same", cpu: "1", priority: 100));

        var (chosen, failure, _) = Preempt(Pod("high", cpu: "2", priority: 100), null, node);

        Assert.Null(failure);
        Assert.Equal(["low-2"], Names(chosen!)); // low-1 alone frees too little; low-2 alone is enough, and low-1 is given back
    }

    [Fact]
    public void Find_PrefersTheNodeWhoseMostImportantVictimIsLeastImportant()
    {
        var a = Node("a", cpu: "2").With(Pod("mid", cpu: "2", priority: 50));
        var b = Node("b", cpu: "2").With(Pod("low", cpu: "2", priority: 5));

        var (chosen, _, _) = Preempt(Pod("high", cpu: "2", priority: 100), null, a, b);

        Assert.Equal("b", chosen!.Node.Name);
    }

    [Fact]
    public void Find_AvoidsPodsABudgetProtects()
    {
        var a = Node("a", cpu: "2").With(Pod("guarded", """{"app":"db"}""", cpu: "2", priority: 1));
        var b = Node("b", cpu: "2").With(Pod("free", """{"app":"web"}""", cpu: "2", priority: 50));
        var budget = DisruptionBudget.Of(JsonNode.Parse("""{"metadata":{"namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"db"}}},"status":{"disruptionsAllowed":0}}""")!.AsObject())!;

        var (chosen, _, _) = Preempt(Pod("high", cpu: "2", priority: 100), [budget], a, b);

        Assert.Equal("b", chosen!.Node.Name);
        Assert.Equal(0, chosen.BudgetViolations);
    }

    [Fact]
    public void Find_NothingOfLowerPriority_SaysNoVictims_AndKubeSchedulersMessage()
    {
        var pod = Pod("web", cpu: "2");
        var (chosen, failure, fit) = Preempt(pod, null, Node("a", cpu: "2").With(Pod("peer", cpu: "1")), Node("b", cpu: "2").With(Pod("peer2", cpu: "1")));

        Assert.Null(chosen);
        Assert.Equal("0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
            FitError.WithPreemption(fit!, failure));
    }

    [Fact]
    public void Find_NodesWherePreemptionCannotHelp_AreNotTried()
    {
        var cordoned = Node("cordoned", cpu: "8");
        cordoned.SetNode(JsonNode.Parse("""{"metadata":{"name":"cordoned"},"spec":{"unschedulable":true},"status":{"allocatable":{"cpu":"8","pods":"110"}}}""")!.AsObject());
        var full = Node("full", cpu: "1").With(Pod("low", cpu: "1", priority: 0));

        var (chosen, failure, fit) = Preempt(Pod("big", cpu: "4", priority: 10), null, cordoned, full);

        Assert.Null(chosen);
        Assert.Equal("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 Preemption is not helpful for scheduling.",
            FitError.WithPreemption(fit!, failure));
    }

    [Fact]
    public void Find_PreemptionPolicyNever_IsNotEligible()
    {
        var pod = Pod("polite", cpu: "2", priority: 100, spec: """{"preemptionPolicy":"Never"}""");

        var (chosen, failure, fit) = Preempt(pod, null, Node("a", cpu: "2").With(Pod("low", cpu: "2")));

        Assert.Null(chosen);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.", FitError.WithPreemption(fit!, failure));
    }

    [Fact]
    public void Find_AntiAffinityToALowerPriorityPod_IsResolvedByEvictingIt()
    {
        var node = Node("a").With(Pod("old", """{"app":"web"}""", priority: 0));
        var pod = Pod("new", """{"app":"web"}""", """{"affinity":{"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"}]}}}""", priority: 10);

        var (chosen, _, fit) = Preempt(pod, null, node);

        Assert.Equal("0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.", fit);
        Assert.Equal(["old"], Names(chosen!));
    }

    [Fact]
    public void Pick_RoomNominatedForAHigherPriorityPod_IsNotGivenAway()
    {
        var node = Node("a", cpu: "2");
        var preemptor = Pod("high", cpu: "2", priority: 100);
        var nominated = new Dictionary<string, List<CachedPod>> { ["a"] = [new CachedPod("default/high", PodDemand.Of(preemptor))] };
        var low = Pod("low", cpu: "1");

        var placement = new NodePicker(new Random(1)).Pick(CycleState.Prepare(low, PodDemand.Of(low), new ClusterView([node], nominated: nominated)));
        var itself = new NodePicker(new Random(1)).Pick(CycleState.Prepare(preemptor, PodDemand.Of(preemptor), new ClusterView([node], nominated: nominated)));

        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu.", placement.Failure);
        Assert.Same(node, itself.Node);
    }
}
