using Berth.Store;
using Berth.Store.Sqlite;

namespace Berth.Bench.Store;

internal sealed record StoreResults(Measurement CreateConcurrent, Measurement UpdateSequential, Measurement Get);

/// <summary>The store's own operations, on files in the same folder as the baselines.</summary>
internal static class StoreRuns
{
    private static readonly byte[] s_document = Documents.Small(0);

    public static string Key(int i) => $"/bench/seq/{i:D6}";

    /// <summary>Creates keys <paramref name="first"/> onwards one at a time, each awaited.</summary>
    public static Task<Measurement> CreateAsync(IStore store, int first, int count) =>
        Timed.SequentialAsync(count, i => store.CreateAsync(Key(first + i), s_document));

    /// <summary>Updates and reads the keys made by <see cref="CreateAsync"/>; then concurrent creates on a fresh store.</summary>
    public static async Task<StoreResults> RunAsync(IStore store, Scratch scratch, BenchSettings settings)
    {
        var n = settings.Operations;
        var revisions = new long[n];
        for (var i = 0; i < n; i++)
        {
            revisions[i] = (await store.GetAsync(Key(i)))!.ModRevision;
        }
        var updateSequential = await Timed.SequentialAsync(n, i => store.UpdateAsync(Key(i), s_document, revisions[i]));
        var random = new Random(1);
        var get = await Timed.SequentialAsync(n, _ => store.GetAsync(Key(random.Next(n))));

        await using var concurrentStore = SqliteStore.Open(new SqliteStoreOptions { Path = scratch.File("store-concurrent.db") });
        var createConcurrent = await Timed.ConcurrentAsync(n, settings.Concurrency,
            i => concurrentStore.CreateAsync($"/bench/conc/{i:D6}", s_document));

        return new StoreResults(createConcurrent, updateSequential, get);
    }
}
