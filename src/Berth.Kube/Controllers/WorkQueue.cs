using System.Threading.Channels;

namespace Berth.Kube.Controllers;

/// <summary>
/// A controller's queue of keys to reconcile, as client-go's work queue: a key queued many times while it waits
/// is processed once; a key queued while it is being processed is processed again after; a failed key comes
/// back after a delay that doubles with each failure. Given an <paramref name="order"/>, ready keys are taken
/// lowest first (the scheduler's queue: higher priority, then older) rather than first in, first out.
/// </summary>
internal sealed class WorkQueue<TKey>(TimeProvider time, Func<TKey, (long, long)>? order = null)
    where TKey : notnull
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromSeconds(30);

    private readonly Channel<TKey> _ready = Channel.CreateUnbounded<TKey>();
    private readonly PriorityQueue<TKey, (long, long)> _ordered = new();
    private readonly Channel<bool> _orderedTokens = Channel.CreateUnbounded<bool>(); // one per key in _ordered
    private readonly HashSet<TKey> _queued = [];
    private readonly HashSet<TKey> _processing = [];
    private readonly HashSet<TKey> _dirty = [];
    private readonly Dictionary<TKey, int> _failures = [];
    private readonly Lock _lock = new();

    public void Add(TKey key)
    {
        lock (_lock)
        {
            if (_processing.Contains(key))
            {
                _dirty.Add(key);
                return;
            }
            if (_queued.Add(key))
            {
                Ready(key);
            }
        }
    }

    /// <summary>The next key to process; the caller ends with <see cref="Done"/> or <see cref="Retry"/>.</summary>
    public async ValueTask<TKey> TakeAsync(CancellationToken cancellationToken)
    {
        TKey key;
        if (order is null)
        {
            key = await _ready.Reader.ReadAsync(cancellationToken);
        }
        else
        {
            await _orderedTokens.Reader.ReadAsync(cancellationToken);
            lock (_lock)
            {
                key = _ordered.Dequeue();
            }
        }
        lock (_lock)
        {
            _queued.Remove(key);
            _processing.Add(key);
        }
        return key;
    }

    /// <summary>The key was reconciled: its failures are forgotten, and it runs again if it was queued meanwhile.</summary>
    public void Done(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
            Release(key);
        }
    }

    /// <summary>The key failed: it is queued again after a backoff.</summary>
    public void Retry(TKey key)
    {
        TimeSpan delay;
        lock (_lock)
        {
            var failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
            delay = TimeSpan.FromTicks(Math.Min(s_maxRetry.Ticks, s_firstRetry.Ticks << Math.Min(failures - 1, 20)));
            Release(key);
        }
        AddAfter(key, delay);
    }

    /// <summary>Queues <paramref name="key"/> once <paramref name="delay"/> has passed.</summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            Add(key);
            timer?.Dispose();
        }, null, delay, Timeout.InfiniteTimeSpan);
    }

    private void Release(TKey key)
    {
        _processing.Remove(key);
        if (_dirty.Remove(key) && _queued.Add(key))
        {
            Ready(key);
        }
    }

    /// <summary>Hands a newly queued key to the taker; called under the lock.</summary>
    private void Ready(TKey key)
    {
        if (order is null)
        {
            _ready.Writer.TryWrite(key);
            return;
        }
        _ordered.Enqueue(key, order(key));
        _orderedTokens.Writer.TryWrite(true);
    }
}
