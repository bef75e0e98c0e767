using Berth.Kube.Controllers.Autoscaling;

namespace Berth.Kube.Tests.Controllers.Autoscaling;

public sealed class ReplicaCalculatorTests
{
    private static readonly DateTimeOffset s_now = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(15);

    private readonly ReplicaCalculator _calculator = new(new ManualClock(s_now));

    /// <summary>A pod running and ready for ten minutes, requesting 100m of CPU.</summary>
    private static ScaledPod Pod(string name, long requestMilli = 100, bool pending = false, bool ignored = false) =>
        new(name, ignored, pending, s_now.AddMinutes(-10), true, s_now.AddMinutes(-9), [("app", requestMilli)]);

    private static KeyValuePair<string, PodMetric> Usage(string pod, long milli) => new(pod, new PodMetric(milli, s_now, s_window));

    private (int Replicas, int Utilization, long Average) ForUtilization(int current, int target, ScaledPod[] pods, params KeyValuePair<string, PodMetric>[] metrics) =>
        _calculator.ForUtilization(current, target, "cpu", pods, metrics.ToDictionary());

    [Fact]
    public void ForUtilization_WithinTolerance_KeepsTheCount()
    {
        var (replicas, utilization, average) = ForUtilization(3, 100, [Pod("a"), Pod("b"), Pod("c")], Usage("a", 105), Usage("b", 108), Usage("c", 102));
        Assert.Equal(3, replicas);
        Assert.Equal(105, utilization);
        Assert.Equal(105, average);
    }

    [Fact]
    public void ForUtilization_AboveTarget_ScalesUpByTheRatio()
    {
        var (replicas, utilization, _) = ForUtilization(2, 50, [Pod("a"), Pod("b")], Usage("a", 300), Usage("b", 300));
        Assert.Equal(300, utilization);
        Assert.Equal(12, replicas); // 300% of 50% on 2 pods
    }

    [Fact]
    public void ForUtilization_BelowTarget_ScalesDown()
    {
        var (replicas, _, _) = ForUtilization(4, 50, [Pod("a"), Pod("b"), Pod("c"), Pod("d")],
            Usage("a", 10), Usage("b", 10), Usage("c", 10), Usage("d", 10));
        Assert.Equal(1, replicas);
    }

    [Fact]
    public void ForUtilization_MissingMetricsOnAScaleDown_CountAsTheWholeRequest()
    {
        // 10% measured; the two pods without metrics are taken at 100%: (10+10+100+100)/400 = 55% > 50%, so no scale-down
        var (replicas, utilization, _) = ForUtilization(4, 50, [Pod("a"), Pod("b"), Pod("c"), Pod("d")], Usage("a", 10), Usage("b", 10));
        Assert.Equal(4, replicas);
        Assert.Equal(10, utilization);
    }

    [Fact]
    public void ForUtilization_MissingMetricsOnAScaleUp_CountAsNothing()
    {
        // one pod at 150% alone would ask for 2 of 4; with the other three at 0 the change reverses, so none
        var (replicas, _, _) = ForUtilization(4, 100, [Pod("a"), Pod("b"), Pod("c"), Pod("d")], Usage("a", 150));
        Assert.Equal(4, replicas);
    }

    [Fact]
    public void ForUtilization_UnreadyPodsOnAScaleUp_CountAsNothing()
    {
        // pending pods weigh the usage down to 50%: the change reverses, so none
        var (replicas, _, _) = ForUtilization(3, 100, [Pod("a"), Pod("b", pending: true), Pod("c", pending: true)], Usage("a", 150));
        Assert.Equal(3, replicas);
    }

    [Fact]
    public void ForUtilization_LeavesOutDeletedAndFailedPods()
    {
        var (replicas, utilization, _) = ForUtilization(2, 100, [Pod("a"), Pod("b", ignored: true)], Usage("a", 200), Usage("b", 0));
        Assert.Equal(200, utilization);
        Assert.Equal(2, replicas);
    }

    [Fact]
    public void ForUtilization_DistrustsCpuOfAPodReadyLessThanAWindowAgo()
    {
        var starting = new ScaledPod("a", false, false, s_now.AddMinutes(-1), true, s_now.AddSeconds(-5), [("app", 100)]);
        var error = Assert.Throws<ReplicaCalculationException>(() => ForUtilization(1, 50, [starting], Usage("a", 300)));
        Assert.Equal("did not receive metrics for targeted pods (pods might be unready)", error.Message);

        var settled = starting with { ReadyTransition = s_now.AddSeconds(-20) };
        Assert.Equal(6, ForUtilization(1, 50, [settled], Usage("a", 300)).Replicas);
    }

    [Fact]
    public void ForUtilization_AfterInitialization_DistrustsOnlyPodsNeverReady()
    {
        var neverReady = new ScaledPod("a", false, false, s_now.AddMinutes(-10), false, s_now.AddMinutes(-10).AddSeconds(5), [("app", 100)]);
        var wentUnready = neverReady with { Name = "b", ReadyTransition = s_now.AddMinutes(-2) };
        var (_, utilization, _) = ForUtilization(2, 100, [neverReady, wentUnready], Usage("a", 900), Usage("b", 100));
        Assert.Equal(100, utilization); // only b's usage counts
    }

    [Fact]
    public void ForUtilization_WithoutARequest_FailsNamingTheContainer()
    {
        var pod = Pod("a") with { Requests = [("app", null)] };
        var error = Assert.Throws<ReplicaCalculationException>(() => ForUtilization(1, 50, [pod], Usage("a", 10)));
        Assert.Equal("missing request for cpu in container app of Pod a", error.Message);
    }

    [Fact]
    public void ForUtilization_WithoutPods_Fails()
    {
        var error = Assert.Throws<ReplicaCalculationException>(() => ForUtilization(1, 50, []));
        Assert.Equal("no pods returned by selector while calculating replica count", error.Message);
    }

    [Fact]
    public void ForAverageValue_ScalesToTheTargetAverage()
    {
        var mebibyte = 1024L * 1024 * 1000; // in milli-units
        var (replicas, average) = _calculator.ForAverageValue(2, 100 * mebibyte, "memory", [Pod("a"), Pod("b")],
            new[] { Usage("a", 200 * mebibyte), Usage("b", 200 * mebibyte) }.ToDictionary());
        Assert.Equal(4, replicas);
        Assert.Equal(200 * mebibyte, average);
    }
}
