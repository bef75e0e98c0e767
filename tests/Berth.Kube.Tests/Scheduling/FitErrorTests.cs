using Berth.Kube.Scheduling;

namespace Berth.Kube.Tests.Scheduling;

public sealed class FitErrorTests
{
    [Fact]
    public void Message_CountsReasonsByNode_SortedAsText() =>
        Assert.Equal("0/12 nodes are available: 1 node(s) were unschedulable, 10 Insufficient memory, 2 Insufficient cpu.",
            FitError.Message(12, [.. Enumerable.Repeat("Insufficient memory", 10), "Insufficient cpu", "node(s) were unschedulable", "Insufficient cpu"]));

    [Fact]
    public void Message_WithoutNodes_IsKubeSchedulers() =>
        Assert.Equal("no nodes available to schedule pods", FitError.Message(0, []));
}
