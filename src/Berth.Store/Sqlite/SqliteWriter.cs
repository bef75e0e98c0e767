using System.Collections.Concurrent;
using Berth.Store.Watch;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Berth.Store.Sqlite;

/// <summary>
/// The single writer. It owns the write connection and the revision counter; requests queue up while a
/// commit is being synced, and the next commit takes all of them in one transaction (group commit),
/// so one fsync acknowledges many writes. Events are published after the commit, before the writers
/// are answered, so a watch started after an acknowledgement sees the write or a later one.
/// </summary>
internal sealed partial class SqliteWriter : IDisposable
{
    private const int QueueCapacity = 16 * 1024;

    // The writer thread blocks on the queue directly, so a write wakes it without a thread-pool hop;
    // the slots make a full queue push back on callers asynchronously.
    private readonly BlockingCollection<WriteRequest> _requests = new(new ConcurrentQueue<WriteRequest>());
    private readonly SemaphoreSlim _slots = new(QueueCapacity, QueueCapacity);
    private readonly SqliteConnection _connection;
    private readonly WriteContext _context;
    private readonly WatchHub _hub;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private long _revision;
    private long _compactRevision;
    private StoreException? _failure;

    public SqliteWriter(SqliteConnection connection, WatchHub hub, StoreStatus status, int maxBatch, ILogger logger)
    {
        _connection = connection;
        _context = new WriteContext(connection);
        _hub = hub;
        _maxBatch = maxBatch;
        _logger = logger;
        _revision = status.Revision;
        _compactRevision = status.CompactRevision;
        _thread = new Thread(Run) { IsBackground = true, Name = "berth-store-writer" };
    }

    public void Start() => _thread.Start();

    /// <summary>The newest committed revision.</summary>
    public long Revision => Interlocked.Read(ref _revision);

    public long CompactRevision => Interlocked.Read(ref _compactRevision);

    /// <summary>Set when a commit failed with an unknown outcome; from then on every write fails with it.</summary>
    public StoreException? Failure => Volatile.Read(ref _failure);

    public async Task<T> SubmitAsync<T>(WriteRequest<T> request, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        if (!TryAdd(request))
        {
            _slots.Release();
            throw StoreException.Closed();
        }
        return await request.Task;
    }

    /// <summary>Commits what is queued, then stops.</summary>
    public void Dispose()
    {
        _requests.CompleteAdding();
        _thread.Join();
        _context.Dispose();
        _requests.Dispose();
    }

    private bool TryAdd(WriteRequest request)
    {
        try
        {
            _requests.Add(request);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            return false; // closed while this request waited for a slot
        }
    }

    private void Run()
    {
        var batch = new List<WriteRequest>(_maxBatch);
        while (_requests.TryTake(out var first, Timeout.Infinite))
        {
            batch.Add(first);
            while (batch.Count < _maxBatch && _requests.TryTake(out var request))
            {
                batch.Add(request);
            }
            if (Failure is { } failure)
            {
                batch.ForEach(request => request.Fail(failure));
            }
            else
            {
                Commit(batch);
            }
            _slots.Release(batch.Count);
            batch.Clear();
        }
    }

    private void Commit(List<WriteRequest> batch)
    {
        var applied = new List<WriteRequest>(batch.Count);
        // refused by a precondition checked against the batch's own writes: answered only once those are committed,
        // so a writer told "exists" or "conflict" finds, when it reads, what it was refused for
        var refused = new List<(WriteRequest Request, StoreException Error)>();
        var next = 0;
        var committing = false;
        try
        {
            using var transaction = _connection.BeginTransaction();
            _context.Begin(transaction, _revision, _compactRevision);
            for (; next < batch.Count; next++)
            {
                try
                {
                    batch[next].Apply(_context);
                    applied.Add(batch[next]);
                }
                catch (StoreException e)
                {
                    refused.Add((batch[next], e));
                }
            }
            committing = true;
            transaction.Commit();
        }
        catch (Exception e)
        {
            StoreException error;
            if (committing)
            {
                // The commit record may be on disk or not; only recovery at the next open can tell. Like etcd
                // on a failed fsync, stop taking writes rather than guess.
                error = new StoreException(StoreErrorCode.Unavailable,
                    $"a commit failed and its outcome is unknown ({e.Message}); the store takes no more writes until it is reopened", e);
                Volatile.Write(ref _failure, error);
                LogCommitOutcomeUnknown(e, batch.Count);
            }
            else
            {
                // Rolled back: nothing of the batch is written, and the next batch tries afresh.
                error = new StoreException(StoreErrorCode.Unavailable, $"the store could not write: {e.Message}", e);
                LogWriteFailed(e, batch.Count);
            }
            foreach (var request in applied.Concat(refused.Select(r => r.Request)).Concat(batch.Skip(next)))
            {
                request.Fail(error);
            }
            return;
        }

        Interlocked.Exchange(ref _compactRevision, _context.CompactRevision);
        Interlocked.Exchange(ref _revision, _context.Revision);
        _hub.Publish(_context.Events);
        StoreMetrics.CommitBatchSize.Record(batch.Count);
        foreach (var request in applied)
        {
            request.Complete();
        }
        foreach (var (request, error) in refused)
        {
            request.Fail(error);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Store batch of {Count} writes failed and was rolled back")]
    private partial void LogWriteFailed(Exception exception, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Critical, Message = "Store commit of {Count} writes failed with an unknown outcome; no more writes are taken until the store is reopened")]
    private partial void LogCommitOutcomeUnknown(Exception exception, int count);
}
