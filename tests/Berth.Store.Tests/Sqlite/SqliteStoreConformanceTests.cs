using Berth.Store.Sqlite;
using Berth.Store.Tests.Conformance;

namespace Berth.Store.Tests.Sqlite;

public sealed class SqliteStoreConformanceTests : StoreConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override Task<IStore> OpenEmptyStoreAsync() =>
        Task.FromResult<IStore>(SqliteStore.Open(new SqliteStoreOptions { Path = _directory.File("berth.db") }));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
