using System.Diagnostics;
using System.Text.Json;
using Berth.Store.Sqlite;

namespace Berth.Bench.Kube;

/// <summary>The same operations on the raw store, in this process: the floor the API stands on.</summary>
internal static class RawStoreRun
{
    private const string Prefix = "/k8s/default/core/pods/default/";

    public static async Task<RunResults> RunAsync(string path, BenchSettings settings)
    {
        await using var store = SqliteStore.Open(new SqliteStoreOptions { Path = path });
        var create = await Timed.ConcurrentAsync(settings.Pods, settings.Clients,
            i => store.CreateAsync(Prefix + $"pod-{i}", JsonSerializer.SerializeToUtf8Bytes(PodDocuments.Pod($"pod-{i}"))));
        var random = new Random(1);
        var get = await Timed.ConcurrentAsync(settings.Pods, settings.Clients, _ => store.GetAsync(Prefix + $"pod-{random.Next(settings.Pods)}"));
        var list = await Timed.SequentialAsync(3, _ => store.ListAsync(Prefix));
        return new RunResults(create, get, list, await WatchAsync(store, settings));
    }

    private static async Task<Measurement> WatchAsync(SqliteStore store, BenchSettings settings)
    {
        var start = (await store.GetStatusAsync()).Revision;
        var issued = new long[settings.Events];
        var latencies = new double[settings.Watchers][];
        var ready = new CountdownEvent(settings.Watchers);
        var watchers = Enumerable.Range(0, settings.Watchers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new double[settings.Events];
            await using var events = store.WatchAsync("/k8s/default/core/pods/watch/", start).GetAsyncEnumerator();
            var next = events.MoveNextAsync();
            ready.Signal();
            for (var seen = 0; seen < settings.Events && await next; seen++)
            {
                var index = (int)(events.Current.Revision - start - 1);
                mine[index] = Stopwatch.GetElapsedTime(Volatile.Read(ref issued[index])).TotalMilliseconds;
                if (seen + 1 < settings.Events)
                {
                    next = events.MoveNextAsync();
                }
            }
        })).ToArray();
        ready.Wait();
        var elapsed = Stopwatch.StartNew();
        for (var i = 0; i < settings.Events; i++)
        {
            Volatile.Write(ref issued[i], Stopwatch.GetTimestamp());
            await store.CreateAsync($"/k8s/default/core/pods/watch/pod-{i}", JsonSerializer.SerializeToUtf8Bytes(PodDocuments.Pod($"pod-{i}")));
        }
        await Task.WhenAll(watchers).WaitAsync(TimeSpan.FromMinutes(2));
        return new Measurement(settings.Events * settings.Watchers, elapsed.Elapsed, [.. latencies.SelectMany(l => l)]);
    }
}
