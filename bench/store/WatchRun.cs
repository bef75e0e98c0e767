using System.Diagnostics;
using System.Text;
using Berth.Store.Sqlite;

namespace Berth.Bench.Store;

/// <summary>
/// Watch delivery: many watchers on one prefix while a writer makes changes one after another. Each
/// delivery's latency runs from the moment the write was issued to the moment a watcher holds the event,
/// so it includes the durable commit.
/// </summary>
internal static class WatchRun
{
    public static async Task<Measurement> RunAsync(string path, BenchSettings settings)
    {
        await using var store = SqliteStore.Open(new SqliteStoreOptions { Path = path });
        var start = (await store.GetStatusAsync()).Revision;
        var issued = new long[settings.Events];
        var received = new double[settings.Watchers][];
        using var stop = new CancellationTokenSource();

        var ready = new CountdownEvent(settings.Watchers);
        var watchers = Enumerable.Range(0, settings.Watchers).Select(w => Task.Run(async () =>
        {
            var latencies = received[w] = new double[settings.Events];
            var seen = 0;
            await using var events = store.WatchAsync("/bench/watch/", start, stop.Token).GetAsyncEnumerator(stop.Token);
            var next = events.MoveNextAsync(); // joins the hub before the writer starts
            ready.Signal();
            while (await next)
            {
                var index = (int)(events.Current.Revision - start - 1);
                latencies[index] = Stopwatch.GetElapsedTime(Volatile.Read(ref issued[index])).TotalMilliseconds;
                if (++seen == settings.Events)
                {
                    return;
                }
                next = events.MoveNextAsync();
            }
        })).ToArray();
        ready.Wait();

        var elapsed = Stopwatch.StartNew();
        var document = Encoding.UTF8.GetBytes("""{"kind":"Event"}""");
        for (var i = 0; i < settings.Events; i++)
        {
            Volatile.Write(ref issued[i], Stopwatch.GetTimestamp());
            await store.CreateAsync($"/bench/watch/{i:D6}", document);
        }
        await Task.WhenAll(watchers).WaitAsync(TimeSpan.FromMinutes(2));
        return new Measurement(settings.Events * settings.Watchers, elapsed.Elapsed, [.. received.SelectMany(r => r)]);
    }
}
