namespace Berth.Store.Sqlite;

public sealed record SqliteStoreOptions
{
    /// <summary>The database file; created with its folder when absent.</summary>
    public required string Path { get; init; }

    /// <summary>Recent events kept in memory so new watches join without reading the database.</summary>
    public int WatchRingCapacity { get; init; } = 4096;

    /// <summary>Undelivered events one watcher may hold before it is told to relist; at least the ring's capacity.</summary>
    public int WatchQueueCapacity { get; init; } = 8192;

    /// <summary>The most writes committed together in one transaction (group commit).</summary>
    public int MaxCommitBatch { get; init; } = 512;

    /// <summary>Revisions compacted per step; each step is one short write transaction.</summary>
    public int CompactionStep { get; init; } = 1000;
}
