namespace Berth.Store.Watch;

/// <summary>
/// Fans committed events out to live watchers and keeps the most recent ones in a ring, so a watch
/// that starts a little behind joins without reading the database.
/// </summary>
/// <remarks>
/// The writer delivers each committed batch itself, right after the commit: handing batches to another
/// thread was measured to double delivery latency on a busy machine, since that thread must be scheduled
/// among the very watchers it woke. Delivery costs one lookup per prefix of a key plus one queue write per
/// matching watcher, and never waits: a watcher whose queue is full is dropped with
/// <see cref="StoreErrorCode.TooOld"/> and relists. Ring and subscriptions change only under one lock,
/// so a joining watcher takes each event either from the ring or from delivery, never both, never neither.
/// </remarks>
internal sealed class WatchHub
{
    private readonly Lock _lock = new();
    private readonly EventRing _ring;
    private readonly SubscriptionIndex _subscriptions = new();
    private readonly int _queueCapacity;
    private long _revision;
    private bool _closed;

    /// <param name="revision">The revision the store stands at; the ring holds every event after it.</param>
    /// <param name="options">The ring's and the watchers' queue sizes.</param>
    public WatchHub(long revision, WatchHubOptions options)
    {
        _ring = new EventRing(revision, options.RingCapacity, options.RingByteBudget);
        _revision = revision;
        _queueCapacity = options.QueueCapacity;
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
            if (afterRevision < _ring.CoveredFrom)
            {
                return null;
            }
            var subscription = new WatchSubscription(this, prefix, afterRevision, _queueCapacity);
            foreach (var e in _ring.Events)
            {
                subscription.Offer(e);
            }
            _subscriptions.Add(subscription);
            StoreMetrics.Watchers.Add(1);
            return subscription;
        }
    }

    /// <summary>Delivers a committed batch, in revision order, to every matching watcher.</summary>
    public void Publish(IReadOnlyList<WatchEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }
        lock (_lock)
        {
            Deliver(events);
        }
    }

    /// <summary>
    /// Offers every watcher a Progress event at the newest delivered revision. Under the delivery lock, so every
    /// event at or below it is already in the watcher's queue, ahead of the progress.
    /// </summary>
    public void RequestProgress()
    {
        lock (_lock)
        {
            List<WatchSubscription>? behind = null;
            foreach (var subscription in _subscriptions.All)
            {
                var progress = new WatchEvent(WatchEventType.Progress, new StoreEntry(subscription.Prefix, ReadOnlyMemory<byte>.Empty, 0, _revision),
                    ReadOnlyMemory<byte>.Empty);
                if (!subscription.Offer(progress))
                {
                    (behind ??= []).Add(subscription);
                }
            }
            foreach (var subscription in behind ?? [])
            {
                Drop(subscription);
            }
        }
    }

    /// <summary>Ends every watch with <see cref="StoreErrorCode.Unavailable"/>; new ones are refused.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var subscription in _subscriptions.All)
            {
                subscription.Complete(StoreException.Closed());
            }
            StoreMetrics.Watchers.Add(-_subscriptions.Count);
            _subscriptions.Clear();
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            if (_subscriptions.Remove(subscription))
            {
                StoreMetrics.Watchers.Add(-1);
            }
        }
    }

    private void Deliver(IReadOnlyList<WatchEvent> batch)
    {
        List<WatchSubscription>? behind = null;
        foreach (var e in batch)
        {
            _ring.Add(e);
            _revision = e.Revision;
            foreach (var subscription in _subscriptions.Matching(e.Entry.Key))
            {
                if (!subscription.Offer(e))
                {
                    (behind ??= []).Add(subscription);
                }
            }
            if (behind is not null)
            {
                // Dropped at once, so no later event of this batch reaches them past the gap.
                foreach (var subscription in behind)
                {
                    Drop(subscription);
                }
                behind.Clear();
            }
        }
    }

    private void Drop(WatchSubscription subscription)
    {
        if (_subscriptions.Remove(subscription))
        {
            StoreMetrics.Watchers.Add(-1);
            StoreMetrics.WatchersDropped.Add(1);
        }
        subscription.Complete(new StoreException(StoreErrorCode.TooOld,
            $"watch of '{subscription.Prefix}' fell more than {_queueCapacity} events behind; list again"));
    }
}
