using Berth.Store.Sqlite;

namespace Berth.Bench.Store;

internal sealed record StoreResults(Measurement CreateSequential, Measurement CreateConcurrent, Measurement UpdateSequential, Measurement Get);

/// <summary>The store's own operations, on fresh files in the same folder as the baselines.</summary>
internal static class StoreRuns
{
    public static async Task<StoreResults> RunAsync(Scratch scratch, BenchSettings settings)
    {
        var n = settings.Operations;
        var document = Documents.Small(0);

        await using var store = SqliteStore.Open(new SqliteStoreOptions { Path = scratch.File("store.db") });
        var createSequential = await Timed.SequentialAsync(n, i => store.CreateAsync($"/bench/seq/{i:D6}", document));
        var revisions = new long[n];
        for (var i = 0; i < n; i++)
        {
            revisions[i] = (await store.GetAsync($"/bench/seq/{i:D6}"))!.ModRevision;
        }
        var updateSequential = await Timed.SequentialAsync(n, i => store.UpdateAsync($"/bench/seq/{i:D6}", document, revisions[i]));
        var random = new Random(1);
        var get = await Timed.SequentialAsync(n, _ => store.GetAsync($"/bench/seq/{random.Next(n):D6}"));

        await using var concurrentStore = SqliteStore.Open(new SqliteStoreOptions { Path = scratch.File("store-concurrent.db") });
        var createConcurrent = await Timed.ConcurrentAsync(n, settings.Concurrency,
            i => concurrentStore.CreateAsync($"/bench/conc/{i:D6}", document));

        return new StoreResults(createSequential, createConcurrent, updateSequential, get);
    }
}
