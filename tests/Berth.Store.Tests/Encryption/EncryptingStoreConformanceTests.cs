using System.Security.Cryptography;
using Berth.Store.Encryption;
using Berth.Store.Sqlite;
using Berth.Store.Tests.Conformance;

namespace Berth.Store.Tests.Encryption;

/// <summary>The whole conformance suite through a store that seals every value: sealing changes nothing a reader sees.</summary>
public sealed class EncryptingStoreConformanceTests : StoreConformanceTests
{
    private readonly TempDirectory _directory = new();

    protected override Task<IStore> OpenEmptyStoreAsync() =>
        Task.FromResult<IStore>(new EncryptingStore(SqliteStore.Open(new SqliteStoreOptions { Path = _directory.File("berth.db") }),
            new ValueSealer(RandomNumberGenerator.GetBytes(32), "test"), _ => true));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
