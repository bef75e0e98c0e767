using Microsoft.Data.Sqlite;

namespace Berth.Store.Sqlite;

/// <summary>A read-only connection inside a deferred transaction: one consistent snapshot of the store.</summary>
internal sealed class ReadSession : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    private ReadSession(SqliteConnection connection, SqliteTransaction transaction, StoreStatus status)
    {
        _connection = connection;
        _transaction = transaction;
        Status = status;
    }

    /// <summary>The revision counter as this snapshot sees it.</summary>
    public StoreStatus Status { get; }

    public static ReadSession Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var transaction = connection.BeginTransaction(deferred: true);
            return new ReadSession(connection, transaction, SqliteSchema.ReadStatus(connection, transaction));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Throws unless this snapshot still holds the history of <paramref name="revision"/>.</summary>
    public void CheckReadable(long revision)
    {
        if (revision < Status.CompactRevision)
        {
            throw StoreException.TooOld(revision, Status.CompactRevision);
        }
        if (revision > Status.Revision)
        {
            throw new StoreException(StoreErrorCode.FutureRevision,
                $"revision {revision} is newer than the store's newest, {Status.Revision}");
        }
    }

    public SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    public void Dispose()
    {
        _transaction.Dispose();
        _connection.Dispose();
    }
}
