using System.Text.Json.Nodes;
using Berth.Kube.Controllers.Workloads;

namespace Berth.Kube.Tests.Controllers;

public sealed class DaemonSetRolloutTests
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.Parse("2026-01-01T00:10:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly DaemonSetRollout s_rollout = new("new", null, TimeSpan.Zero, s_now);

    private static JsonObject Pod(string name, string hash, bool ready) => JsonNode.Parse($$$"""
        {"metadata":{"name":"{{{name}}}","labels":{"controller-revision-hash":"{{{hash}}}"}},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"{{{(ready ? "True" : "False")}}}","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}
        """)!.AsObject();

    private static IReadOnlyDictionary<string, List<JsonObject>> Nodes(params (string Node, JsonObject[] Pods)[] nodes) =>
        nodes.ToDictionary(n => n.Node, n => n.Pods.ToList());

    private static List<string> Names(IEnumerable<JsonObject> pods) => [.. pods.Select(p => p["metadata"]!["name"]!.GetValue<string>())];

    private static JsonObject Set(string rolling) =>
        JsonNode.Parse($$$"""{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{{{rolling}}} } } }""")!.AsObject();

    [Theory]
    [InlineData("""{"maxUnavailable":1,"maxSurge":0}""", 10, 0, 1)]
    [InlineData("""{"maxUnavailable":"25%","maxSurge":0}""", 10, 0, 3)] // rounded up, unlike a Deployment's
    [InlineData("""{"maxUnavailable":0,"maxSurge":"10%"}""", 5, 1, 0)]
    [InlineData("""{"maxUnavailable":0,"maxSurge":0}""", 4, 0, 1)] // both zero would stall
    [InlineData("""{"maxUnavailable":0,"maxSurge":0}""", 0, 0, 0)]
    public void Budget_ScalesBothRoundingUp(string rolling, long desired, long surge, long unavailable) =>
        Assert.Equal((surge, unavailable), DaemonSetRollout.Budget(Set(rolling), desired));

    [Fact]
    public void Budget_OnDelete_IsZero() =>
        Assert.Equal((0L, 0L), DaemonSetRollout.Budget(JsonNode.Parse("""{"spec":{"updateStrategy":{"type":"OnDelete"}}}""")!.AsObject(), 3));

    [Fact]
    public void Replace_DeletesOldPodsWithinMaxUnavailable_UnavailableOnesFirst()
    {
        var nodes = Nodes(("a", [Pod("a-old", "old", ready: true)]), ("b", [Pod("b-old", "old", ready: true)]), ("c", [Pod("c-old", "old", ready: false)]));
        var step = s_rollout.Plan(nodes, maxSurge: 0, maxUnavailable: 1, _ => true);
        Assert.Equal(["c-old", "a-old"], Names(step.Delete));
        Assert.Empty(step.Create);
    }

    [Fact]
    public void Replace_WaitsWhileANodeIsUnavailable()
    {
        // a: replaced and not ready yet; b: no pod yet; c: still old
        var nodes = Nodes(("a", [Pod("a-new", "new", ready: false)]), ("b", []), ("c", [Pod("c-old", "old", ready: true)]));
        Assert.Empty(s_rollout.Plan(nodes, 0, 2, _ => true).Delete);
        Assert.Equal(["c-old"], Names(s_rollout.Plan(nodes, 0, 3, _ => true).Delete));
    }

    [Fact]
    public void Surge_StartsNewPodsBesideOldOnes_AndDeletesOldOnesOnceNewAreAvailable()
    {
        var nodes = Nodes(("a", [Pod("a-old", "old", ready: true)]), ("b", [Pod("b-old", "old", ready: true)]), ("c", [Pod("c-old", "old", ready: false)]));
        var step = s_rollout.Plan(nodes, maxSurge: 1, maxUnavailable: 0, _ => true);
        Assert.Empty(step.Delete);
        Assert.Equal(["c", "a"], step.Create); // the unavailable node at once, and one more within the surge

        var surged = Nodes(("a", [Pod("a-old", "old", ready: true), Pod("a-new", "new", ready: true)]),
            ("b", [Pod("b-old", "old", ready: true), Pod("b-new", "new", ready: false)]), ("c", [Pod("c-old", "old", ready: true)]));
        step = s_rollout.Plan(surged, maxSurge: 1, maxUnavailable: 0, _ => true);
        Assert.Equal(["a-old"], Names(step.Delete));
        Assert.Empty(step.Create); // b's new pod uses the surge
    }

    [Fact]
    public void Surge_KeepsPodsOnNodesNoLongerWanted_UntilEnoughOthersAreAvailable()
    {
        var starting = Nodes(("a", [Pod("a-new", "new", ready: false)]), ("gone", [Pod("gone-old", "old", ready: true)]));
        Assert.Empty(s_rollout.Plan(starting, 1, 0, n => n == "a").Delete);
        var started = Nodes(("a", [Pod("a-new", "new", ready: true)]), ("gone", [Pod("gone-old", "old", ready: true)]));
        Assert.Equal(["gone-old"], Names(s_rollout.Plan(started, 1, 0, n => n == "a").Delete));
    }

    [Fact]
    public void OnNode_IsNotOkWithTwoOfAKind()
    {
        Assert.False(s_rollout.OnNode([Pod("x", "old", true), Pod("y", "old", true)]).Ok);
        var (updated, old, ok) = s_rollout.OnNode([Pod("x", "old", true), Pod("y", "new", true)]);
        Assert.True(ok);
        Assert.Equal("y", updated!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("x", old!["metadata"]!["name"]!.GetValue<string>());
    }
}
