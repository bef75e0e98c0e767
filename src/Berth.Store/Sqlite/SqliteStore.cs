using System.Diagnostics;
using System.Runtime.CompilerServices;
using Berth.Store.Watch;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Store.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with full sync, one writer thread that group-commits,
/// pooled readers, and a watch hub fed by the writer. Only one process may open a store at a time.
/// </summary>
public sealed class SqliteStore : IStore
{
    private const int ReplayPageSize = 1000;

    private readonly SqliteStoreOptions _options;
    private readonly FileStream _lock;
    private readonly SqliteConnection _writeConnection;
    private readonly SqliteReader _reader;
    private readonly string _readConnectionString;
    private readonly WatchHub _hub;
    private readonly SqliteWriter _writer;
    // Never disposed: it holds no unmanaged resources, and compactions racing disposal must still release it.
    private readonly SemaphoreSlim _compaction = new(1, 1);
    private int _disposed;

    private SqliteStore(SqliteStoreOptions options, FileStream fileLock, SqliteConnection writeConnection, StoreStatus status, ILogger logger)
    {
        _options = options;
        _lock = fileLock;
        _writeConnection = writeConnection;
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
        }.ToString();
        _reader = new SqliteReader(_readConnectionString);
        _hub = new WatchHub(status.Revision, options.Hub);
        _writer = new SqliteWriter(writeConnection, _hub, status, options.MaxCommitBatch, logger);
    }

    public string Path => _options.Path;

    /// <summary>
    /// Opens the store at <see cref="SqliteStoreOptions.Path"/>, creating it when absent. Throws
    /// <see cref="StoreOpenException"/> for a file that is damaged, foreign, too new, or held by another process.
    /// </summary>
    public static SqliteStore Open(SqliteStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var path = System.IO.Path.GetFullPath(options.Path);
        options = options with { Path = path };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var fileLock = AcquireLock(path);
        SqliteConnection? connection = null;
        try
        {
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
            }.ToString());
            connection.Open();
            var status = SqliteSchema.OpenOrCreate(connection, path);
            var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqliteStore>();
            var store = new SqliteStore(options, fileLock, connection, status, logger);
            store._writer.Start();
            return store;
        }
        catch (Exception e)
        {
            connection?.Dispose();
            fileLock.Dispose();
            if (e is StoreOpenException)
            {
                throw;
            }
            throw new StoreOpenException(path, e.Message, e);
        }
    }

    public Task<StoreStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        _writer.Failure is { } failure ? Task.FromException<StoreStatus>(failure) : Read("status", () => _reader.ReadStatus(), cancellationToken);

    public Task<StoreEntry> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        StoreValues.Validate(value.Span);
        return Submit(new CreateWrite(key, value.ToArray()), cancellationToken); // a copy the caller cannot change
    }

    public Task<StoreEntry> UpdateAsync(string key, ReadOnlyMemory<byte> value, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        StoreValues.Validate(value.Span);
        return Submit(new UpdateWrite(key, value.ToArray(), expectedRevision), cancellationToken);
    }

    public Task<StoreEntry> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        return Submit(new DeleteWrite(key, expectedRevision), cancellationToken);
    }

    public Task<StoreEntry?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        ValidateRevision(revision);
        return Read("get", () => _reader.Get(key, revision), cancellationToken);
    }

    public Task<ListResult> ListAsync(string prefix, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix);
        options ??= new ListOptions();
        if (options.Limit < 0)
        {
            throw new StoreException(StoreErrorCode.InvalidArgument, $"limit {options.Limit} is negative");
        }
        ValidateRevision(options.Revision);
        return Read("list", () => _reader.List(prefix, options), cancellationToken);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix);
        ValidateRevision(afterRevision);
        ThrowIfDisposed();
        if (afterRevision < _writer.CompactRevision)
        {
            throw StoreException.TooOld(afterRevision, _writer.CompactRevision);
        }

        // Catch up from the log until the hub's ring covers the rest, then go live.
        var cursor = afterRevision;
        WatchSubscription? subscription;
        while ((subscription = _hub.TrySubscribe(prefix, cursor)) is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await Read("watch_replay", () => _reader.ReadEvents(prefix, cursor, ReplayPageSize), cancellationToken);
            StoreMetrics.WatchEventsReplayed.Add(page.Events.Count);
            foreach (var e in page.Events)
            {
                yield return e;
            }
            cursor = page.ScannedThrough;
        }

        using (subscription)
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(cancellationToken))
            {
                yield return e;
            }
        }
    }

    public void RequestWatchProgress()
    {
        ThrowIfDisposed();
        _hub.RequestProgress();
    }

    public async Task<long> CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        ValidateRevision(revision);
        if (revision > _writer.Revision)
        {
            throw new StoreException(StoreErrorCode.FutureRevision,
                $"cannot compact to {revision}: the newest revision is {_writer.Revision}");
        }
        await _compaction.WaitAsync(cancellationToken);
        try
        {
            var compacted = _writer.CompactRevision;
            while (compacted < revision)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var step = Math.Min(revision, compacted + _options.CompactionStep);
                compacted = await _writer.SubmitAsync(new CompactWrite(step), cancellationToken);
            }
            return compacted;
        }
        finally
        {
            _compaction.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        try
        {
            _writer.Dispose(); // commits what is queued
            _hub.Close();
            using var checkpoint = _writeConnection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }
        finally
        {
            _writeConnection.Dispose();
            using (var pooled = new SqliteConnection(_readConnectionString))
            {
                SqliteConnection.ClearPool(pooled);
            }
            _lock.Dispose();
        }
    }

    private async Task<StoreEntry> Submit(WriteRequest<StoreEntry> request, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        return await _writer.SubmitAsync(request, cancellationToken);
    }

    /// <summary>Runs a read on the caller's thread: SQLite reads of one snapshot are short and not cancellable midway.</summary>
    private Task<T> Read<T>(string operation, Func<T> read, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        var start = Stopwatch.GetTimestamp();
        try
        {
            var result = read();
            StoreMetrics.Record(operation, start, null);
            return Task.FromResult(result);
        }
        catch (StoreException e)
        {
            StoreMetrics.Record(operation, start, e.Code);
            return Task.FromException<T>(e);
        }
        catch (SqliteException e)
        {
            StoreMetrics.Record(operation, start, StoreErrorCode.Unavailable);
            return Task.FromException<T>(new StoreException(StoreErrorCode.Unavailable, $"the store could not read: {e.Message}", e));
        }
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw StoreException.Closed();
        }
    }

    private static void ValidateRevision(long revision)
    {
        if (revision < 0)
        {
            throw new StoreException(StoreErrorCode.InvalidArgument, $"revision {revision} is negative");
        }
    }

    private static FileStream AcquireLock(string path)
    {
        try
        {
            // .NET takes an exclusive advisory lock (flock) for FileShare.None on Unix.
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreOpenException(path, "another Berth process is using this store", e);
        }
    }
}
