using Microsoft.Data.Sqlite;

namespace Berth.Store.Sqlite;

/// <summary>
/// The database layout, and the checks that keep Berth from touching a file that is not its own.
/// </summary>
/// <remarks>
/// <c>kv</c> is the log: one row per revision. A tombstone row (<c>deleted = 1</c>) marks a deletion;
/// <c>prev_revision</c> points at the version a row replaced, which is what compaction removes.
/// <c>current</c> indexes the live version of each key so reads at the newest revision skip history.
/// The newest revision is the log's highest row, which costs a write nothing; <c>meta.revision</c> remembers
/// it only when compaction may have removed that row.
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>"BRTH": marks the file as a Berth store (SQLite's application_id header field).</summary>
    public const int ApplicationId = 0x42525448;

    public const int Version = 1;

    /// <summary>The revision counter and the compaction point, as of the reading transaction.</summary>
    public const string StatusSql = """
        SELECT max((SELECT value FROM meta WHERE name = 'revision'), coalesce((SELECT max(revision) FROM kv), 0)),
               (SELECT value FROM meta WHERE name = 'compact_revision')
        """;

    private const string CreateSql = """
        CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO meta (name, value) VALUES ('revision', 0), ('compact_revision', 0);
        CREATE TABLE kv (
            revision INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            value BLOB
        );
        CREATE INDEX kv_key_revision ON kv (key, revision);
        CREATE TABLE current (key TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID;
        """;

    /// <summary>
    /// Identifies the file before changing anything: a foreign or newer database is refused, a new one is
    /// laid out. Then switches to WAL with full sync, so a commit is on disk when acknowledged.
    /// </summary>
    /// <returns>Where the revision counter stands.</returns>
    public static StoreStatus OpenOrCreate(SqliteConnection connection, string path)
    {
        long applicationId;
        long userVersion;
        long objectCount;
        try
        {
            applicationId = Scalar(connection, "PRAGMA application_id");
            userVersion = Scalar(connection, "PRAGMA user_version");
            objectCount = Scalar(connection, "SELECT count(*) FROM sqlite_schema");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteErrorCodes.NotADatabase or SqliteErrorCodes.Corrupt)
        {
            throw new StoreOpenException(path, $"the file is not a Berth store or is damaged ({e.Message})", e);
        }

        if (applicationId == 0 && objectCount == 0)
        {
            Create(connection);
        }
        else if (applicationId != ApplicationId)
        {
            throw new StoreOpenException(path, "the file is a SQLite database of another application; Berth leaves it untouched");
        }
        else if (userVersion > Version)
        {
            throw new StoreOpenException(path, $"the store has format {userVersion}, newer than this Berth understands ({Version})");
        }

        Execute(connection, "PRAGMA journal_mode = WAL");
        Execute(connection, "PRAGMA synchronous = FULL");
        return ReadStatus(connection, transaction: null);
    }

    public static StoreStatus ReadStatus(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = StatusSql;
        using var reader = command.ExecuteReader();
        reader.Read();
        return new StoreStatus(reader.GetInt64(0), reader.GetInt64(1));
    }

    private static void Create(SqliteConnection connection)
    {
        Execute(connection, "PRAGMA journal_mode = WAL");
        using var transaction = connection.BeginTransaction();
        Execute(connection, CreateSql, transaction);
        Execute(connection, $"PRAGMA application_id = {ApplicationId}", transaction);
        Execute(connection, $"PRAGMA user_version = {Version}", transaction);
        transaction.Commit();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
