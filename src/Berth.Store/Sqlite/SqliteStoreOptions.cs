using Berth.Store.Watch;

namespace Berth.Store.Sqlite;

public sealed record SqliteStoreOptions
{
    /// <summary>The database file; created with its folder when absent.</summary>
    public required string Path { get; init; }

    /// <summary>Recent events kept in memory so new watches join without reading the database.</summary>
    public int WatchRingCapacity { get; init; } = 4096;

    /// <summary>The most bytes of documents the ring of recent events may hold.</summary>
    public long WatchRingByteBudget { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Undelivered events one watcher may hold before it is told to relist; at least the ring's capacity
    /// plus one commit batch, so a watcher joining from a full ring survives the next batch.
    /// </summary>
    public int WatchQueueCapacity { get; init; } = 8192;

    /// <summary>The most writes committed together in one transaction (group commit).</summary>
    public int MaxCommitBatch { get; init; } = 512;

    /// <summary>Revisions compacted per step; each step is one short write transaction.</summary>
    public int CompactionStep { get; init; } = 1000;

    internal WatchHubOptions Hub => new(WatchRingCapacity, WatchRingByteBudget, WatchQueueCapacity);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Path);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCommitBatch, 1, nameof(MaxCommitBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(CompactionStep, 1, nameof(CompactionStep));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchRingCapacity, 1, nameof(WatchRingCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchRingByteBudget, 1, nameof(WatchRingByteBudget));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchQueueCapacity, WatchRingCapacity + MaxCommitBatch, nameof(WatchQueueCapacity));
    }
}
