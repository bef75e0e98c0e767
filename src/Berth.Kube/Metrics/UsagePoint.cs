namespace Berth.Kube.Metrics;

/// <summary>One reading of a node's or container's counters: cumulative CPU nanoseconds and the memory working set.</summary>
internal sealed record UsagePoint(DateTimeOffset Time, ulong CpuNanoseconds, ulong MemoryBytes);

/// <summary>
/// Usage over a window, as metrics-server reports it: the CPU rate between two readings in nanocores, the memory
/// of the newer reading, its time, and how long the window was.
/// </summary>
internal sealed record Usage(DateTimeOffset Timestamp, TimeSpan Window, long CpuNanoCores, ulong MemoryBytes)
{
    /// <summary>The usage between <paramref name="previous"/> and <paramref name="last"/>; null when no time passed or the counter went back.</summary>
    public static Usage? Between(UsagePoint? previous, UsagePoint last)
    {
        if (previous is null || last.Time <= previous.Time || last.CpuNanoseconds < previous.CpuNanoseconds)
        {
            return null;
        }
        var window = last.Time - previous.Time;
        var rate = (last.CpuNanoseconds - previous.CpuNanoseconds) / window.TotalSeconds;
        return new Usage(last.Time, window, (long)Math.Round(rate), last.MemoryBytes);
    }
}
