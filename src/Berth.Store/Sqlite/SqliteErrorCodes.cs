namespace Berth.Store.Sqlite;

/// <summary>The SQLite result codes the store reacts to (see sqlite3.h).</summary>
internal static class SqliteErrorCodes
{
    public const int Corrupt = 11;
    public const int NotADatabase = 26;
}
