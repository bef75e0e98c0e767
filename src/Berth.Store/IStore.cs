namespace Berth.Store;

/// <summary>
/// A versioned document store: JSON documents under hierarchical keys, one monotonic revision
/// counter for every change, consistent reads at a revision, and watches that replay history
/// and then stream live changes. Kubernetes objects and AWS resources both live here.
/// </summary>
/// <remarks>
/// Every write is acknowledged only after it is durable. Each successful write takes the next
/// revision; a key's <see cref="StoreEntry.ModRevision"/> is the revision of its last change.
/// </remarks>
public interface IStore : IAsyncDisposable
{
    /// <summary>The newest committed revision and the oldest revision still readable.</summary>
    Task<StoreStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates <paramref name="key"/>; fails with <see cref="StoreErrorCode.KeyExists"/> if it is present.</summary>
    Task<StoreEntry> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the value of <paramref name="key"/>. With <paramref name="expectedRevision"/> the write
    /// succeeds only if the key's mod revision still equals it (<see cref="StoreErrorCode.Conflict"/> otherwise).
    /// </summary>
    Task<StoreEntry> UpdateAsync(string key, ReadOnlyMemory<byte> value, long? expectedRevision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes <paramref name="key"/>, optionally guarded like <see cref="UpdateAsync"/>. Returns the last value,
    /// with <see cref="StoreEntry.ModRevision"/> set to the revision of the deletion.
    /// </summary>
    Task<StoreEntry> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default);

    /// <summary>Reads one key at the newest revision, or at <paramref name="revision"/> when it is above zero.</summary>
    Task<StoreEntry?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default);

    /// <summary>Lists the keys under <paramref name="prefix"/> in key order, every page at one revision.</summary>
    Task<ListResult> ListAsync(string prefix, ListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every change under <paramref name="prefix"/> with a revision above <paramref name="afterRevision"/>:
    /// first the history from the store, then live events, in revision order, without gaps or duplicates.
    /// The stream ends with <see cref="StoreErrorCode.TooOld"/> when the history was compacted or the reader
    /// fell too far behind; the caller then lists again and watches from the list's revision.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks every live watch for a <see cref="WatchEventType.Progress"/> event at the newest revision delivered to
    /// watches, so that a watcher of keys that rarely change learns how far the store has come.
    /// </summary>
    void RequestWatchProgress();

    /// <summary>
    /// Discards history older than <paramref name="revision"/> in short steps that interleave with writes.
    /// Reads and watches at older revisions then fail with <see cref="StoreErrorCode.TooOld"/>.
    /// Returns the compacted revision.
    /// </summary>
    Task<long> CompactAsync(long revision, CancellationToken cancellationToken = default);
}
