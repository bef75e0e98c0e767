namespace Berth.Store.Tests;

/// <summary>Reads a watch stream in the background so tests can wait for what it has seen.</summary>
internal sealed class WatchReader : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<WatchEvent> _events = [];
    private readonly Task _pump;

    public WatchReader(IStore store, string prefix, long afterRevision)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in store.WatchAsync(prefix, afterRevision, _stop.Token))
                {
                    lock (_events)
                    {
                        _events.Add(e);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // stopped by the test
            }
        });
    }

    public IReadOnlyList<WatchEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> events arrived; fails after the timeout.</summary>
    public async Task<IReadOnlyList<WatchEvent>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var seen = Events;
            if (seen.Count >= count)
            {
                return seen;
            }
            if (_pump.IsCompleted)
            {
                await _pump; // surfaces the stream's error
                Assert.Fail($"watch ended after {seen.Count} events; expected {count}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"watch saw {seen.Count} events in time; expected {count}");
            }
            await Task.WhenAny(_pump, Task.Delay(10, TestContext.Current.CancellationToken));
        }
    }

    /// <summary>The error the stream ended with.</summary>
    public async Task<Exception> WaitForErrorAsync(TimeSpan? timeout = null)
    {
        var error = await Record.ExceptionAsync(() => _pump.WaitAsync(timeout ?? TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        Assert.NotNull(error);
        return error;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        // The stream's own error, if any, is what WaitForAsync and WaitForErrorAsync report.
        await _pump.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
