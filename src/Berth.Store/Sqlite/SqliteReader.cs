using Microsoft.Data.Sqlite;

namespace Berth.Store.Sqlite;

/// <summary>
/// Reads on pooled read-only connections. Each read runs in one transaction, so the revision it reports
/// and the rows it returns come from the same snapshot.
/// </summary>
internal sealed class SqliteReader(string connectionString)
{
    private const string LatestColumns = "c.key, c.revision, kv.create_revision, kv.value";
    private const string LatestFrom = "FROM current c JOIN kv ON kv.revision = c.revision";

    public StoreStatus ReadStatus()
    {
        using var session = ReadSession.Open(connectionString);
        return session.Status;
    }

    public StoreEntry? Get(string key, long revision)
    {
        if (revision == 0)
        {
            // One statement is its own snapshot: no transaction or revision read needed.
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var single = connection.CreateCommand();
            single.CommandText = $"SELECT {LatestColumns} {LatestFrom} WHERE c.key = $key";
            single.Parameters.AddWithValue("$key", key);
            using var one = single.ExecuteReader();
            return one.Read() ? ReadLatest(one) : null;
        }
        using var session = ReadSession.Open(connectionString);
        if (revision == session.Status.Revision)
        {
            using var latest = session.Command($"SELECT {LatestColumns} {LatestFrom} WHERE c.key = $key", ("$key", key));
            using var row = latest.ExecuteReader();
            return row.Read() ? ReadLatest(row) : null;
        }
        session.CheckReadable(revision);
        using var command = session.Command("""
            SELECT key, revision, create_revision, deleted, value FROM kv
            WHERE key = $key AND revision <= $revision ORDER BY revision DESC LIMIT 1
            """, ("$key", key), ("$revision", revision));
        using var reader = command.ExecuteReader();
        return reader.Read() && reader.GetInt64(3) == 0 ? ReadLatest(reader, valueColumn: 4) : null;
    }

    public ListResult List(string prefix, ListOptions options)
    {
        var token = options.Continue is null ? (ContinueToken?)null : ContinueToken.Decode(options.Continue, prefix);
        if (token is { } t && options.Revision != 0 && options.Revision != t.Revision)
        {
            throw new StoreException(StoreErrorCode.InvalidArgument, "a continue token fixes the revision; do not also give one");
        }
        using var session = ReadSession.Open(connectionString);
        var revision = token?.Revision ?? (options.Revision != 0 ? options.Revision : session.Status.Revision);
        var start = token?.LastKey ?? prefix;
        var startOp = token is null ? ">=" : ">";
        var limit = options.Limit > 0 ? options.Limit + 1L : -1L;

        SqliteCommand command;
        if (revision == session.Status.Revision)
        {
            command = session.Command($"""
                SELECT {LatestColumns} {LatestFrom}
                WHERE c.key {startOp} $start AND c.key < $end ORDER BY c.key LIMIT $limit
                """, ("$start", start), ("$end", StoreKeys.PrefixEnd(prefix)), ("$limit", limit));
        }
        else
        {
            session.CheckReadable(revision);
            // SQLite fills the bare columns of a MAX() aggregate, in SELECT and HAVING, from the row holding
            // the maximum; one level keeps the plan a streaming walk of the (key, revision) index.
            command = session.Command($"""
                SELECT key, MAX(revision) AS revision, create_revision, value FROM kv
                WHERE key {startOp} $start AND key < $end AND revision <= $revision
                GROUP BY key HAVING deleted = 0 ORDER BY key LIMIT $limit
                """, ("$start", start), ("$end", StoreKeys.PrefixEnd(prefix)), ("$revision", revision), ("$limit", limit));
        }

        var items = new List<StoreEntry>();
        using (command)
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(ReadLatest(reader));
            }
        }
        string? next = null;
        if (options.Limit > 0 && items.Count > options.Limit)
        {
            items.RemoveAt(items.Count - 1);
            next = new ContinueToken(revision, items[^1].Key).Encode();
        }
        return new ListResult(items, revision, next);
    }

    /// <summary>
    /// The changes under <paramref name="prefix"/> after <paramref name="afterRevision"/>, oldest first, at most
    /// <paramref name="limit"/>; <see cref="EventPage.ScannedThrough"/> says how far the history was read.
    /// </summary>
    public EventPage ReadEvents(string prefix, long afterRevision, int limit)
    {
        using var session = ReadSession.Open(connectionString);
        session.CheckReadable(afterRevision);
        using var command = session.Command("""
            SELECT e.revision, e.key, e.create_revision, e.deleted, e.value, p.value
            FROM kv e LEFT JOIN kv p ON p.revision = e.prev_revision
            WHERE e.revision > $after AND e.revision <= $upto AND e.key >= $start AND e.key < $end
            ORDER BY e.revision LIMIT $limit
            """, ("$after", afterRevision), ("$upto", session.Status.Revision),
            ("$start", prefix), ("$end", StoreKeys.PrefixEnd(prefix)), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var events = new List<WatchEvent>();
        while (reader.Read())
        {
            var revision = reader.GetInt64(0);
            var createRevision = reader.GetInt64(2);
            var deleted = reader.GetInt64(3) != 0;
            ReadOnlyMemory<byte> previous = reader.IsDBNull(5) ? Array.Empty<byte>() : reader.GetFieldValue<byte[]>(5);
            var value = deleted ? previous : reader.GetFieldValue<byte[]>(4);
            var type = deleted ? WatchEventType.Deleted
                : revision == createRevision ? WatchEventType.Added
                : WatchEventType.Modified;
            events.Add(new WatchEvent(type, new StoreEntry(reader.GetString(1), value, createRevision, revision), previous));
        }
        var scannedThrough = events.Count == limit ? events[^1].Revision : session.Status.Revision;
        return new EventPage(events, scannedThrough);
    }

    private static StoreEntry ReadLatest(SqliteDataReader reader, int valueColumn = 3) =>
        new(reader.GetString(0), reader.GetFieldValue<byte[]>(valueColumn), reader.GetInt64(2), reader.GetInt64(1));
}
