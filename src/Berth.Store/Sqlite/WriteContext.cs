using Microsoft.Data.Sqlite;

namespace Berth.Store.Sqlite;

/// <summary>
/// What one write needs inside the batch's transaction: the prepared statements, the next revision,
/// and the list of events to publish once the batch is durable.
/// </summary>
internal sealed class WriteContext : IDisposable
{
    private readonly SqliteCommand _selectCurrent;
    private readonly SqliteCommand _insertKv;
    private readonly SqliteCommand _upsertCurrent;
    private readonly SqliteCommand _deleteCurrent;
    private readonly SqliteCommand _setMeta;
    private readonly SqliteCommand _compactSuperseded;
    private readonly SqliteCommand _compactTombstones;

    public WriteContext(SqliteConnection connection)
    {
        _selectCurrent = Prepare(connection, """
            SELECT c.revision, kv.create_revision, kv.value
            FROM current c JOIN kv ON kv.revision = c.revision WHERE c.key = $key
            """, "$key");
        _insertKv = Prepare(connection, """
            INSERT INTO kv (revision, key, create_revision, prev_revision, deleted, value)
            VALUES ($revision, $key, $create_revision, $prev_revision, $deleted, $value)
            """, "$revision", "$key", "$create_revision", "$prev_revision", "$deleted", "$value");
        _upsertCurrent = Prepare(connection, """
            INSERT INTO current (key, revision) VALUES ($key, $revision)
            ON CONFLICT (key) DO UPDATE SET revision = excluded.revision
            """, "$key", "$revision");
        _deleteCurrent = Prepare(connection, "DELETE FROM current WHERE key = $key", "$key");
        _setMeta = Prepare(connection, "UPDATE meta SET value = $value WHERE name = $name", "$name", "$value");
        _compactSuperseded = Prepare(connection, """
            DELETE FROM kv WHERE revision IN
              (SELECT prev_revision FROM kv WHERE revision > $from AND revision <= $to AND prev_revision > 0)
            """, "$from", "$to");
        _compactTombstones = Prepare(connection,
            "DELETE FROM kv WHERE revision > $from AND revision <= $to AND deleted = 1", "$from", "$to");
    }

    /// <summary>The last revision handed out, committed or pending in this batch.</summary>
    public long Revision { get; private set; }

    public long CompactRevision { get; private set; }

    public List<WatchEvent> Events { get; } = [];

    public void Begin(SqliteTransaction transaction, long revision, long compactRevision)
    {
        foreach (var command in Commands)
        {
            command.Transaction = transaction;
        }
        Revision = revision;
        CompactRevision = compactRevision;
        Events.Clear();
    }

    /// <summary>The key's live version, if it has one.</summary>
    public StoreEntry? ReadCurrent(string key)
    {
        _selectCurrent.Parameters[0].Value = key;
        using var reader = _selectCurrent.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        return new StoreEntry(key, reader.GetFieldValue<byte[]>(2), reader.GetInt64(1), reader.GetInt64(0));
    }

    /// <summary>
    /// The key's live version, which must exist and, when <paramref name="expectedRevision"/> is given,
    /// be at that revision.
    /// </summary>
    public StoreEntry ReadCurrent(string key, long? expectedRevision)
    {
        var current = ReadCurrent(key)
            ?? throw new StoreException(StoreErrorCode.KeyNotFound, $"key '{key}' not found");
        if (expectedRevision is { } expected && expected != current.ModRevision)
        {
            throw new StoreException(StoreErrorCode.Conflict,
                $"key '{key}' is at revision {current.ModRevision}, not {expected}")
            {
                ActualRevision = current.ModRevision,
            };
        }
        return current;
    }

    /// <summary>Appends a new version of <paramref name="key"/> at the next revision and makes it current.</summary>
    public StoreEntry Put(string key, byte[] value, StoreEntry? previous)
    {
        var revision = Revision + 1;
        var createRevision = previous?.CreateRevision ?? revision;
        Append(revision, key, createRevision, previous?.ModRevision ?? 0, deleted: false, value);
        _upsertCurrent.Parameters[0].Value = key;
        _upsertCurrent.Parameters[1].Value = revision;
        _upsertCurrent.ExecuteNonQuery();
        Revision = revision;
        var entry = new StoreEntry(key, value, createRevision, revision);
        Events.Add(previous is null
            ? new WatchEvent(WatchEventType.Added, entry, ReadOnlyMemory<byte>.Empty)
            : new WatchEvent(WatchEventType.Modified, entry, previous.Value));
        return entry;
    }

    /// <summary>Appends a tombstone for <paramref name="previous"/> at the next revision.</summary>
    public StoreEntry Remove(StoreEntry previous)
    {
        var revision = Revision + 1;
        Append(revision, previous.Key, previous.CreateRevision, previous.ModRevision, deleted: true, value: null);
        _deleteCurrent.Parameters[0].Value = previous.Key;
        _deleteCurrent.ExecuteNonQuery();
        Revision = revision;
        var entry = previous with { ModRevision = revision };
        Events.Add(new WatchEvent(WatchEventType.Deleted, entry, previous.Value));
        return entry;
    }

    /// <summary>
    /// Drops the history that revisions in (<see cref="CompactRevision"/>, <paramref name="to"/>] made obsolete:
    /// the versions they replaced, and their tombstones.
    /// </summary>
    public void Compact(long to)
    {
        foreach (var command in new[] { _compactSuperseded, _compactTombstones })
        {
            command.Parameters[0].Value = CompactRevision;
            command.Parameters[1].Value = to;
            command.ExecuteNonQuery();
        }
        CompactRevision = to;
        SetMeta("compact_revision", to);
        SetMeta("revision", Revision); // the newest row may have been a tombstone, now gone
    }

    private void SetMeta(string name, long value)
    {
        _setMeta.Parameters[0].Value = name;
        _setMeta.Parameters[1].Value = value;
        _setMeta.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in Commands)
        {
            command.Dispose();
        }
    }

    private IEnumerable<SqliteCommand> Commands =>
        [_selectCurrent, _insertKv, _upsertCurrent, _deleteCurrent, _setMeta, _compactSuperseded, _compactTombstones];

    private void Append(long revision, string key, long createRevision, long prevRevision, bool deleted, byte[]? value)
    {
        var p = _insertKv.Parameters;
        p[0].Value = revision;
        p[1].Value = key;
        p[2].Value = createRevision;
        p[3].Value = prevRevision;
        p[4].Value = deleted ? 1 : 0;
        p[5].Value = (object?)value ?? DBNull.Value;
        _insertKv.ExecuteNonQuery();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }
}
