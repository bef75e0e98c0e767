using Berth.Store;

namespace Berth.Server;

/// <summary>
/// Keeps history bounded the way kube-apiserver does: at every tick, compact to the revision seen at the
/// previous tick, so watchers and paged lists always have at least one interval of history.
/// </summary>
internal sealed partial class StoreCompactionService(IStore store, TimeProvider time, ILogger<StoreCompactionService> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var previous = (await store.GetStatusAsync(stoppingToken)).Revision;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            previous = await TickAsync(previous, stoppingToken);
        }
    }

    /// <summary>Compacts to <paramref name="previous"/>; returns the revision to compact to at the next tick.</summary>
    internal async Task<long> TickAsync(long previous, CancellationToken cancellationToken)
    {
        try
        {
            var status = await store.GetStatusAsync(cancellationToken);
            if (previous > status.CompactRevision)
            {
                await store.CompactAsync(previous, cancellationToken);
                LogCompacted(logger, previous);
            }
            return status.Revision;
        }
        catch (StoreException e)
        {
            // The next tick tries again; a store that stays down shows in /readyz.
            LogCompactionFailed(logger, e);
            return previous;
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Store compacted to revision {Revision}")]
    private static partial void LogCompacted(ILogger logger, long revision);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Store compaction failed")]
    private static partial void LogCompactionFailed(ILogger logger, Exception exception);
}
