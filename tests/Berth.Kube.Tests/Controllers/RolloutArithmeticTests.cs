using System.Text.Json.Nodes;
using Berth.Kube.Controllers.Workloads;

namespace Berth.Kube.Tests.Controllers;

public sealed class RolloutArithmeticTests
{
    private static ReplicaSetCounts Set(string name, long replicas, long available = 0, long? maxReplicas = null, string created = "2026-01-01T00:00:00Z") =>
        new(name, replicas, replicas, available, available, maxReplicas, created);

    [Theory]
    [InlineData("25%", "25%", 10, 3, 2)] // surge rounds up, unavailable down
    [InlineData("25%", "25%", 3, 1, 0)]
    [InlineData("0%", "0%", 3, 0, 1)] // both zero would stall: one may be unavailable
    [InlineData("2", "1", 5, 2, 1)]
    public void Fenceposts_ScalePercentagesAsKubernetes(string surge, string unavailable, long replicas, long expectedSurge, long expectedUnavailable)
    {
        static JsonNode Value(string text) => text.EndsWith('%') ? JsonValue.Create(text) : JsonValue.Create(long.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((expectedSurge, expectedUnavailable), RolloutArithmetic.Fenceposts(Value(surge), Value(unavailable), replicas));
    }

    [Fact]
    public void NewReplicaSetSize_GrowsWithinTheSurge()
    {
        // 3 replicas, surge 1: with 3 old pods the new set may have 1; with none left it may have all 3
        Assert.Equal(1, RolloutArithmetic.NewReplicaSetSize(3, 1, 0, [Set("old", 3), Set("new", 0)]));
        Assert.Equal(1, RolloutArithmetic.NewReplicaSetSize(3, 1, 1, [Set("old", 3), Set("new", 1)]));
        Assert.Equal(3, RolloutArithmetic.NewReplicaSetSize(3, 1, 1, [Set("old", 0), Set("new", 1)]));
    }

    [Fact]
    public void MaxScaleDown_KeepsMinimumAvailability()
    {
        // 3 replicas, 1 may be unavailable; 4 pods in all, the new one not yet available
        Assert.Equal(1, RolloutArithmetic.MaxScaleDown(3, 1, [Set("old", 3, available: 3), Set("new", 1)], Set("new", 1)));
        Assert.Equal(2, RolloutArithmetic.MaxScaleDown(3, 1, [Set("old", 3, available: 3), Set("new", 1, available: 1)], Set("new", 1, available: 1)));
    }

    [Fact]
    public void Proportional_SharesAResizeBySize_LeftoverToTheLargest()
    {
        // 10 replicas mid-rollout (old 8, new 5, surge 3) resized to 20: allowed 23, i.e. 10 more
        var sizes = RolloutArithmetic.Proportional([Set("old", 8, maxReplicas: 13, created: "1"), Set("new", 5, maxReplicas: 13, created: "2")], 20, 3, 13, 10);
        Assert.Equal(10, sizes.Values.Sum() - 13);
        Assert.Equal(14, sizes["old"]);
        Assert.Equal(9, sizes["new"]);
    }

    [Fact]
    public void Proportional_ToZero_EmptiesEverySet()
    {
        var sizes = RolloutArithmetic.Proportional([Set("old", 2, maxReplicas: 4), Set("new", 2, maxReplicas: 4)], 0, 0, 4, -4);
        Assert.All(sizes.Values, size => Assert.Equal(0, size));
    }
}
