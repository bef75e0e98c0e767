using System.Text;
using Berth.Server;
using Berth.Store;
using Berth.Store.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Tests.Server;

public sealed class StoreCompactionServiceTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tick_CompactsToTheRevisionSeenAtThePreviousTick()
    {
        await using var store = SqliteStore.Open(new SqliteStoreOptions { Path = _data.File("berth.db") });
        using var service = new StoreCompactionService(store, TimeProvider.System, NullLogger<StoreCompactionService>.Instance);
        await Write(store, 3);
        var seenAtStart = (await store.GetStatusAsync(Ct)).Revision;
        await Write(store, 2);

        var seenAtFirstTick = await service.TickAsync(seenAtStart, Ct);

        Assert.Equal(3, (await store.GetStatusAsync(Ct)).CompactRevision);
        Assert.Equal(5, seenAtFirstTick);
        Assert.Equal(5, await service.TickAsync(seenAtFirstTick, Ct));
        Assert.Equal(5, (await store.GetStatusAsync(Ct)).CompactRevision);
    }

    [Fact]
    public async Task Tick_StoreClosed_KeepsItsRevisionForTheNextTick()
    {
        var store = SqliteStore.Open(new SqliteStoreOptions { Path = _data.File("berth.db") });
        using var service = new StoreCompactionService(store, TimeProvider.System, NullLogger<StoreCompactionService>.Instance);
        await store.DisposeAsync();

        Assert.Equal(7, await service.TickAsync(7, Ct));
    }

    private static async Task Write(IStore store, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.CreateAsync($"/t/{Guid.NewGuid():N}", Encoding.UTF8.GetBytes("{}"), Ct);
        }
    }

    public void Dispose() => _data.Dispose();
}
