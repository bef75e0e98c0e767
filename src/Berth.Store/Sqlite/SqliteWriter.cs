using System.Threading.Channels;
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
    private readonly Channel<WriteRequest> _requests = Channel.CreateBounded<WriteRequest>(
        new BoundedChannelOptions(16 * 1024) { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly WriteContext _context;
    private readonly WatchHub _hub;
    private readonly int _maxBatch;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private long _revision;
    private long _compactRevision;

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
        _thread.Start();
    }

    /// <summary>The newest committed revision.</summary>
    public long Revision => Interlocked.Read(ref _revision);

    public long CompactRevision => Interlocked.Read(ref _compactRevision);

    public async Task<T> SubmitAsync<T>(WriteRequest<T> request, CancellationToken cancellationToken)
    {
        try
        {
            await _requests.Writer.WriteAsync(request, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw StoreException.Closed();
        }
        return await request.Task;
    }

    /// <summary>Commits what is queued, then stops.</summary>
    public void Dispose()
    {
        _requests.Writer.TryComplete();
        _thread.Join();
        _context.Dispose();
    }

    private void Run()
    {
        var batch = new List<WriteRequest>(_maxBatch);
        while (_requests.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < _maxBatch && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }
            Commit(batch);
            batch.Clear();
        }
    }

    private void Commit(List<WriteRequest> batch)
    {
        var applied = new List<WriteRequest>(batch.Count);
        var next = 0;
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
                    batch[next].Fail(e);
                }
            }
            if (_context.Revision != _revision)
            {
                _context.SetMeta("revision", _context.Revision);
            }
            transaction.Commit();
        }
        catch (Exception e)
        {
            // Nothing of the batch is durable: every writer still waiting learns so; the next batch tries afresh.
            LogCommitFailed(e, batch.Count);
            var error = new StoreException(StoreErrorCode.Unavailable, $"the store could not commit: {e.Message}", e);
            foreach (var request in applied.Concat(batch.Skip(next)))
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
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Store commit of {Count} writes failed; they were not applied")]
    private partial void LogCommitFailed(Exception exception, int count);
}
