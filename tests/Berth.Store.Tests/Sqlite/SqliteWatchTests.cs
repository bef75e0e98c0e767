using Berth.Store.Sqlite;

namespace Berth.Store.Tests.Sqlite;

/// <summary>Watch behaviour that depends on the sizes of the in-memory ring and queues.</summary>
public sealed class SqliteWatchTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteStore Open(int ring, int queue) => SqliteStore.Open(new SqliteStoreOptions
    {
        Path = _directory.File("berth.db"),
        WatchRingCapacity = ring,
        WatchQueueCapacity = queue,
        MaxCommitBatch = 8,
    });

    [Fact]
    public async Task Watch_FromBeyondTheRing_ReplaysFromDiskThenJoinsLive_WithoutGaps()
    {
        await using var store = Open(ring: 8, queue: 100_000);
        for (var n = 0; n < 500; n++)
        {
            await store.CreateAsync($"/w/{n}", TestJson.Doc(new { n }), Ct);
        }

        var writer = Task.Run(async () =>
        {
            for (var n = 500; n < 1500; n++)
            {
                await store.CreateAsync($"/w/{n}", TestJson.Doc(new { n }), Ct);
            }
        }, Ct);
        await using var watch = new WatchReader(store, "/w/", 0);
        await writer;

        var events = await watch.WaitForAsync(1500);
        Assert.Equal(Enumerable.Range(1, 1500).Select(i => (long)i), events.Select(e => e.Revision));
        Assert.Equal(Enumerable.Range(0, 1500), events.Select(e => TestJson.Number(e.Entry.Value)));
    }

    [Fact]
    public async Task Watch_AfterReopen_ReplaysHistoryFromDisk()
    {
        await using (var first = Open(ring: 16, queue: 32))
        {
            for (var n = 0; n < 20; n++)
            {
                await first.CreateAsync($"/w/{n}", TestJson.Doc(new { n }), Ct);
            }
        }
        await using var store = Open(ring: 16, queue: 32);

        await using var watch = new WatchReader(store, "/w/", 5);
        var events = await watch.WaitForAsync(15);

        Assert.Equal(Enumerable.Range(6, 15).Select(i => (long)i), events.Select(e => e.Revision));
    }

    [Fact]
    public async Task SlowWatcher_NeverBlocksWriters_AndIsToldToRelist()
    {
        await using var store = Open(ring: 16, queue: 32);
        var stuck = store.WatchAsync("/w/", 0, Ct).GetAsyncEnumerator(Ct);
        var firstMove = stuck.MoveNextAsync(); // joins the hub, then reads one event and stops
        await using var healthy = new WatchReader(store, "/w/", 0);

        // The stuck watcher's queue holds 32; these writes complete regardless.
        for (var n = 0; n < 200; n++)
        {
            await store.CreateAsync($"/w/{n}", TestJson.Doc(new { n }), Ct);
        }

        Assert.True(await firstMove.AsTask().WaitAsync(TimeSpan.FromSeconds(20), Ct));
        var events = await healthy.WaitForAsync(200);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), events.Select(e => e.Revision));
        var delivered = new List<long> { stuck.Current.Revision };
        var error = await Assert.ThrowsAsync<StoreException>(async () =>
        {
            while (await stuck.MoveNextAsync())
            {
                delivered.Add(stuck.Current.Revision);
            }
        });
        Assert.Equal(StoreErrorCode.TooOld, error.Code);
        Assert.Equal(Enumerable.Range(1, delivered.Count).Select(i => (long)i), delivered);
        Assert.True(delivered.Count < 200);
        await stuck.DisposeAsync();
    }

    [Fact]
    public async Task Watch_StoreClosed_EndsWithUnavailable()
    {
        var store = Open(ring: 16, queue: 32);
        await using var watch = new WatchReader(store, "/w/", 0);
        await store.CreateAsync("/w/a", TestJson.Doc("{}"), Ct);
        await watch.WaitForAsync(1);

        await store.DisposeAsync();

        var error = Assert.IsType<StoreException>(await watch.WaitForErrorAsync());
        Assert.Equal(StoreErrorCode.Unavailable, error.Code);
    }

    [Fact]
    public async Task Watch_AmongManyWatchersOfOtherPrefixes_GetsItsEvents()
    {
        await using var store = Open(ring: 16, queue: 32);
        var others = Enumerable.Range(0, 500).Select(i => new WatchReader(store, $"/other/{i}/", 0)).ToList();
        await using var mine = new WatchReader(store, "/w/", 0);

        for (var n = 0; n < 20; n++)
        {
            await store.CreateAsync($"/w/{n}", TestJson.Doc(new { n }), Ct);
            await store.CreateAsync($"/other/{n}/x", TestJson.Doc(new { n }), Ct);
        }

        Assert.Equal(20, (await mine.WaitForAsync(20)).Count(e => e.Entry.Key.StartsWith("/w/", StringComparison.Ordinal)));
        Assert.Single(await others[7].WaitForAsync(1));
        foreach (var other in others)
        {
            await other.DisposeAsync();
        }
    }

    public void Dispose() => _directory.Dispose();
}
