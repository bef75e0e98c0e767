namespace Berth.Store.Watch;

/// <summary>
/// The most recent events, bounded by count and by bytes. It holds every event after
/// <see cref="CoveredFrom"/>, so a watcher that has seen up to that revision can join from memory.
/// </summary>
internal sealed class EventRing(long revision, int capacity, long byteBudget)
{
    private readonly Queue<WatchEvent> _events = new(Math.Min(capacity, 1024));
    private long _bytes;

    /// <summary>Every event with a higher revision is in the ring.</summary>
    public long CoveredFrom { get; private set; } = revision;

    public IEnumerable<WatchEvent> Events => _events;

    public void Add(WatchEvent e)
    {
        _events.Enqueue(e);
        _bytes += Size(e);
        while (_events.Count > capacity || (_bytes > byteBudget && _events.Count > 1))
        {
            var dropped = _events.Dequeue();
            _bytes -= Size(dropped);
            CoveredFrom = dropped.Revision;
        }
    }

    private static long Size(WatchEvent e) => e.Entry.Value.Length + e.PrevValue.Length + e.Entry.Key.Length;
}
