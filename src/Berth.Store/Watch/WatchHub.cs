namespace Berth.Store.Watch;

/// <summary>
/// Fans committed events out to live watchers and keeps the most recent ones in a ring, so a watch
/// that starts a little behind joins without reading the database. Publishing never waits on a
/// watcher: one whose queue is full is dropped with <see cref="StoreErrorCode.TooOld"/> and relists.
/// </summary>
internal sealed class WatchHub
{
    private readonly Lock _lock = new();
    private readonly WatchEvent[] _ring;
    private readonly int _queueCapacity;
    private readonly List<WatchSubscription> _subscriptions = [];
    private int _ringStart;
    private int _ringCount;
    private long _coveredFrom;
    private bool _closed;

    /// <param name="revision">The revision the store stands at; the ring holds every event after it.</param>
    /// <param name="ringCapacity">How many recent events to keep for joining watchers.</param>
    /// <param name="queueCapacity">How many undelivered events one watcher may hold before it is dropped.</param>
    public WatchHub(long revision, int ringCapacity, int queueCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ringCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, ringCapacity);
        _ring = new WatchEvent[ringCapacity];
        _queueCapacity = queueCapacity;
        _coveredFrom = revision;
    }

    public int WatcherCount
    {
        get
        {
            lock (_lock)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>
    /// Joins a watcher that has seen everything up to <paramref name="afterRevision"/>, if the ring still
    /// holds every event after it. Returns null when the caller must first read more history from the store.
    /// </summary>
    public WatchSubscription? TrySubscribe(string prefix, long afterRevision)
    {
        lock (_lock)
        {
            if (_closed)
            {
                throw StoreException.Closed();
            }
            if (afterRevision < _coveredFrom)
            {
                return null;
            }
            var subscription = new WatchSubscription(this, prefix, afterRevision, _queueCapacity);
            for (var i = 0; i < _ringCount; i++)
            {
                subscription.Offer(_ring[(_ringStart + i) % _ring.Length]);
            }
            _subscriptions.Add(subscription);
            StoreMetrics.Watchers.Add(1);
            return subscription;
        }
    }

    /// <summary>Delivers committed events, in revision order, to every matching watcher.</summary>
    public void Publish(IReadOnlyList<WatchEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        lock (_lock)
        {
            foreach (var e in events)
            {
                Remember(e);
            }
            List<WatchSubscription>? behind = null;
            foreach (var subscription in _subscriptions)
            {
                foreach (var e in events)
                {
                    if (!subscription.Offer(e))
                    {
                        (behind ??= []).Add(subscription);
                        break;
                    }
                }
            }
            if (behind is not null)
            {
                foreach (var subscription in behind)
                {
                    RemoveLocked(subscription);
                    subscription.Complete(new StoreException(StoreErrorCode.TooOld,
                        $"watch of '{subscription.Prefix}' fell more than {_queueCapacity} events behind; list again"));
                    StoreMetrics.WatchersDropped.Add(1);
                }
            }
        }
    }

    /// <summary>Ends every watch; their streams finish normally and new ones are refused.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var subscription in _subscriptions)
            {
                subscription.Complete(null);
            }
            StoreMetrics.Watchers.Add(-_subscriptions.Count);
            _subscriptions.Clear();
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            RemoveLocked(subscription);
        }
    }

    private void RemoveLocked(WatchSubscription subscription)
    {
        if (_subscriptions.Remove(subscription))
        {
            StoreMetrics.Watchers.Add(-1);
        }
    }

    private void Remember(WatchEvent e)
    {
        if (_ringCount == _ring.Length)
        {
            _coveredFrom = _ring[_ringStart].Revision;
            _ring[_ringStart] = e;
            _ringStart = (_ringStart + 1) % _ring.Length;
        }
        else
        {
            _ring[(_ringStart + _ringCount) % _ring.Length] = e;
            _ringCount++;
        }
    }
}
