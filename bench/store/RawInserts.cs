using Microsoft.Data.Sqlite;

namespace Berth.Bench.Store;

/// <summary>The baseline: one transaction per row, each committed with a full sync, as the store commits.</summary>
internal sealed class RawInserts : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly byte[] _document = Documents.Small(0);
    private int _next;

    public RawInserts(string path)
    {
        _connection = RawSqlite.Open(path);
        _insert = _connection.CreateCommand();
        _insert.CommandText = "INSERT INTO t (key, value) VALUES ($key, $value)";
        _insert.Parameters.Add("$key", SqliteType.Text);
        _insert.Parameters.Add("$value", SqliteType.Blob);
    }

    public Measurement Run(int count) => Timed.Sequential(count, _ =>
    {
        using var transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        _insert.Parameters[0].Value = $"/bench/raw/{_next++:D6}";
        _insert.Parameters[1].Value = _document;
        _insert.ExecuteNonQuery();
        transaction.Commit();
    });

    public void Dispose()
    {
        _insert.Dispose();
        _connection.Dispose();
    }
}
