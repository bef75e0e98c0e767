using System.Diagnostics;

namespace Berth.Bench;

public static class Timed
{
    /// <summary>Runs <paramref name="operation"/> for each index in turn, timing each.</summary>
    public static async Task<Measurement> SequentialAsync(int count, Func<int, Task> operation)
    {
        var latencies = new double[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation(i);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return new Measurement(count, total.Elapsed, latencies);
    }

    public static Measurement Sequential(int count, Action<int> operation) =>
        SequentialAsync(count, i =>
        {
            operation(i);
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    /// <summary>Keeps <paramref name="inFlight"/> operations running until <paramref name="count"/> are done.</summary>
    public static async Task<Measurement> ConcurrentAsync(int count, int inFlight, Func<int, Task> operation)
    {
        var latencies = new double[count];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var start = Stopwatch.GetTimestamp();
                await operation(i);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }));
        return new Measurement(count, total.Elapsed, latencies);
    }
}
