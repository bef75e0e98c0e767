using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Agent;

/// <summary>
/// Gives the memory the agent no longer uses back to the machine. The GC collects its oldest generation only when
/// that generation's budget runs out, which an agent that has settled after a burst of pod starts may take hours to
/// spend: until then the burst's dead objects and emptied regions stay resident. So, as the Go runtime forces a
/// collection when none ran for two minutes and G1's periodic collection returns a quiet JVM's memory, the agent
/// collects fully, compacting and decommitting, when it allocated but no full collection ran for
/// <see cref="Period"/>. A full collection of a heap this size takes milliseconds.
/// </summary>
internal sealed partial class MemoryReturn(TimeProvider time, ILogger<MemoryReturn> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        var (full, young) = (GC.CollectionCount(GC.MaxGeneration), GC.CollectionCount(0));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var (fullNow, youngNow) = (GC.CollectionCount(GC.MaxGeneration), GC.CollectionCount(0));
            if (fullNow == full && youngNow != young)
            {
                var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var returned = before - GC.GetGCMemoryInfo().TotalCommittedBytes;
                LogReturned(logger, returned / 1024);
                fullNow = GC.CollectionCount(GC.MaxGeneration);
            }
            (full, young) = (fullNow, GC.CollectionCount(0));
        }
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Debug, Message = "A full collection returned {Kilobytes} KiB of the heap's memory")]
    private static partial void LogReturned(ILogger logger, long kilobytes);
}
