using Berth.Kube.Scheduling;
using static Berth.Kube.Tests.Scheduling.Cluster;

namespace Berth.Kube.Tests.Scheduling;

public sealed class InterPodAffinityTests
{
    private const string Zone = "topology.kubernetes.io/zone";

    private static string Required(string kind, string selector, string topologyKey = "kubernetes.io/hostname", string extra = "") =>
        """{"affinity":{"KIND":{"requiredDuringSchedulingIgnoredDuringExecution":[{"labelSelector":SELECTOR,"topologyKey":"KEY"EXTRA}]}}}"""
            .Replace("KIND", kind).Replace("SELECTOR", selector).Replace("KEY", topologyKey).Replace("EXTRA", extra);

    [Fact]
    public void Check_AntiAffinity_KeepsThePodOffNodesWithAMatchingPod()
    {
        var pod = Pod("web-2", """{"app":"web"}""", Required("podAntiAffinity", """{"matchLabels":{"app":"web"}}"""));
        var a = Node("a").With(Pod("web-1", """{"app":"web"}"""));
        var b = Node("b").With(Pod("db", """{"app":"db"}"""));

        Assert.Equal([InterPodAffinityFilter.AntiAffinityNotMatch, ""], Verdicts(pod, a, b));
    }

    [Fact]
    public void Check_Affinity_NeedsAMatchingPodInTheZone()
    {
        var pod = Pod("web", spec: Required("podAffinity", """{"matchLabels":{"app":"cache"}}""", Zone));
        var a1 = Node("a1", $$"""{"{{Zone}}":"a"}""");
        var a2 = Node("a2", $$"""{"{{Zone}}":"a"}""").With(Pod("cache", """{"app":"cache"}"""));
        var b1 = Node("b1", $$"""{"{{Zone}}":"b"}""");
        var none = Node("no-zone");

        Assert.Equal(["", "", InterPodAffinityFilter.AffinityNotMatch, InterPodAffinityFilter.AffinityNotMatch], Verdicts(pod, a1, a2, b1, none));
    }

    [Fact]
    public void Check_FirstPodOfAGroupThatSelectsItself_MayGoAnywhere()
    {
        var pod = Pod("web-1", """{"app":"web"}""", Required("podAffinity", """{"matchLabels":{"app":"web"}}"""));
        var stranger = Pod("other", """{"app":"other"}""", Required("podAffinity", """{"matchLabels":{"app":"web"}}"""));

        Assert.Equal(["", ""], Verdicts(pod, Node("a"), Node("b")));
        Assert.Equal([InterPodAffinityFilter.AffinityNotMatch], Verdicts(stranger, Node("a")));
    }

    [Fact]
    public void Check_ExistingPodsAntiAffinity_IsSymmetric()
    {
        var guard = Pod("guard", """{"app":"guard"}""", Required("podAntiAffinity", """{"matchLabels":{"app":"web"}}""", Zone));
        var a1 = Node("a1", $$"""{"{{Zone}}":"a"}""").With(guard);
        var a2 = Node("a2", $$"""{"{{Zone}}":"a"}""");
        var b1 = Node("b1", $$"""{"{{Zone}}":"b"}""");

        Assert.Equal([InterPodAffinityFilter.ExistingAntiAffinityNotMatch, InterPodAffinityFilter.ExistingAntiAffinityNotMatch, ""],
            Verdicts(Pod("web", """{"app":"web"}"""), a1, a2, b1));
    }

    [Fact]
    public void Check_TermsSelectInTheirNamespacesOnly()
    {
        var other = Node("a").With(Pod("web-1", """{"app":"web"}""", ns: "other"));
        var sameNamespace = Pod("web-2", """{"app":"web"}""", Required("podAntiAffinity", """{"matchLabels":{"app":"web"}}"""));
        var listed = Pod("web-3", """{"app":"web"}""", Required("podAntiAffinity", """{"matchLabels":{"app":"web"}}""", extra: ",\"namespaces\":[\"other\"]"));
        var everywhere = Pod("web-4", """{"app":"web"}""", Required("podAntiAffinity", """{"matchLabels":{"app":"web"}}""", extra: ",\"namespaceSelector\":{}"));

        Assert.Equal([""], Verdicts(sameNamespace, other));
        Assert.Equal([InterPodAffinityFilter.AntiAffinityNotMatch], Verdicts(listed, other));
        Assert.Equal([InterPodAffinityFilter.AntiAffinityNotMatch], Verdicts(everywhere, other));
    }

    [Fact]
    public void Check_MatchLabelKeys_NarrowTheSelectorToThePodsOwnValue()
    {
        var node = Node("a").With(Pod("web-v1", """{"app":"web","version":"1"}"""));
        var pod = Pod("web-v2", """{"app":"web","version":"2"}""",
            Required("podAntiAffinity", """{"matchLabels":{"app":"web"}}""", extra: ",\"matchLabelKeys\":[\"version\"]"));

        Assert.Equal([""], Verdicts(pod, node));
    }

    [Fact]
    public void Score_PreferredTerms_WeighTowardsTheirDomains()
    {
        var pod = Pod("web", spec: """{"affinity":{"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":50,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"cache"}},"topologyKey":"kubernetes.io/hostname"}}]}}}""");
        var a = Node("a");
        var b = Node("b").With(Pod("cache", """{"app":"cache"}"""));

        Assert.Equal([0L, 100L], InterPodAffinityScore.Score(State(pod, a, b), [a, b])!);
    }

    [Fact]
    public void Score_ExistingPodsPreferredAntiAffinity_PushesThePodAway()
    {
        var shy = Pod("shy", spec: """{"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"kubernetes.io/hostname"}}]}}}""");
        var a = Node("a").With(shy);
        var b = Node("b");

        Assert.Equal([0L, 100L], InterPodAffinityScore.Score(State(Pod("web", """{"app":"web"}"""), a, b), [a, b])!);
    }

    [Fact]
    public void Score_NoTermsAnywhere_ScoresNothing() =>
        Assert.Null(InterPodAffinityScore.Score(State(Pod("web"), Node("a")), [Node("a")]));
}
