using Microsoft.Data.Sqlite;

namespace Berth.Bench.Store;

/// <summary>The baselines: SQLite used directly, with the store's durability settings.</summary>
internal static class RawSqlite
{
    /// <summary>Primary-key reads on one open connection with a prepared statement.</summary>
    public static Measurement PointSelects(string path, int count)
    {
        using var connection = Open(path);
        using (var fill = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = fill;
            insert.CommandText = "INSERT INTO t (id, key, value) VALUES ($id, $key, $value)";
            for (var i = 0; i < count; i++)
            {
                insert.Parameters.Clear();
                insert.Parameters.AddWithValue("$id", i + 1);
                insert.Parameters.AddWithValue("$key", $"/bench/raw/{i:D6}");
                insert.Parameters.AddWithValue("$value", Documents.Small(i));
                insert.ExecuteNonQuery();
            }
            fill.Commit();
        }
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT value FROM t WHERE id = $id";
        var id = select.Parameters.Add("$id", SqliteType.Integer);
        var random = new Random(1);
        return Timed.Sequential(count, i =>
        {
            id.Value = random.Next(count) + 1;
            _ = (byte[])select.ExecuteScalar()!;
        });
    }

    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var setup = connection.CreateCommand();
        setup.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value BLOB NOT NULL);
            """;
        setup.ExecuteNonQuery();
        return connection;
    }
}
