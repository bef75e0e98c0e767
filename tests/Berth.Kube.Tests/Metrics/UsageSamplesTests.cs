using Berth.Kube.Metrics;

namespace Berth.Kube.Tests.Metrics;

public sealed class UsageSamplesTests
{
    private static readonly DateTimeOffset s_start = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static UsagePoint At(int seconds, double cores, ulong memory) =>
        new(s_start.AddSeconds(seconds), (ulong)(cores * seconds * 1e9), memory);

    private static (string, IReadOnlyList<(string, DateTimeOffset?, UsagePoint)>) Pod(string uid, DateTimeOffset? started, UsagePoint point) =>
        (uid, [("app", started, point)]);

    [Fact]
    public void Node_HasUsageOnlyFromItsSecondReading()
    {
        using var samples = new UsageSamples(new ManualClock(s_start));
        samples.Record("n1", At(10, 0.5, 100), []);
        Assert.Null(samples.Node("n1"));

        samples.Record("n1", At(25, 0.5, 200), []);
        var usage = samples.Node("n1")!;
        Assert.Equal(500_000_000, usage.CpuNanoCores);
        Assert.Equal(200UL, usage.MemoryBytes);
        Assert.Equal(TimeSpan.FromSeconds(15), usage.Window);
        Assert.Equal(s_start.AddSeconds(25), usage.Timestamp);
    }

    [Fact]
    public void Pod_FirstReadingOfAStartedContainer_IsMeasuredFromItsStart()
    {
        using var samples = new UsageSamples(new ManualClock(s_start));
        samples.Record("n1", At(10, 1, 0), [Pod("uid-1", s_start, At(10, 0.25, 4096))]);
        var (name, usage) = Assert.Single(samples.Pod("uid-1")!);
        Assert.Equal("app", name);
        Assert.Equal(250_000_000, usage.CpuNanoCores);
        Assert.Equal(TimeSpan.FromSeconds(10), usage.Window);
    }

    [Fact]
    public void Pod_LeavesWithTheNextReadingOfItsNode()
    {
        using var samples = new UsageSamples(new ManualClock(s_start));
        samples.Record("n1", At(10, 1, 0), [Pod("uid-1", s_start, At(10, 0.25, 4096))]);
        samples.Record("n1", At(20, 1, 0), []);
        Assert.Null(samples.Pod("uid-1"));
    }

    [Fact]
    public void Wanted_GoesIdleOnceNoOneAskedWithinTheTime()
    {
        var clock = new ManualClock(s_start);
        using var samples = new UsageSamples(clock);
        Assert.False(samples.Wanted(TimeSpan.FromMinutes(10)));
        samples.Ask();
        Assert.True(samples.Wanted(TimeSpan.FromMinutes(10)));
        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.False(samples.Wanted(TimeSpan.FromMinutes(10)));
    }
}
