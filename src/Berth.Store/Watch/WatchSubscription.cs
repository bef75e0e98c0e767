using System.Threading.Channels;

namespace Berth.Store.Watch;

/// <summary>One live watcher: a prefix, the revision it has seen, and a bounded queue of events to read.</summary>
internal sealed class WatchSubscription : IDisposable
{
    private readonly WatchHub _hub;
    private readonly Channel<WatchEvent> _queue;

    public WatchSubscription(WatchHub hub, string prefix, long afterRevision, int capacity)
    {
        _hub = hub;
        Prefix = prefix;
        AfterRevision = afterRevision;
        _queue = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false, // the hub writes under its lock, but disposal completes from the reader's side
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string Prefix { get; }

    /// <summary>Events at or below this revision were already delivered from the store's history.</summary>
    public long AfterRevision { get; }

    public ChannelReader<WatchEvent> Reader => _queue.Reader;

    /// <summary>Queues <paramref name="e"/> if this watcher wants it; false when the queue is full.</summary>
    /// <remarks>The prefix is checked again here for events replayed from the ring.</remarks>
    public bool Offer(WatchEvent e)
    {
        if (e.Revision <= AfterRevision || !e.Entry.Key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return true;
        }
        return _queue.Writer.TryWrite(e);
    }

    public void Complete(Exception? error) => _queue.Writer.TryComplete(error);

    public void Dispose()
    {
        _hub.Unsubscribe(this);
        _queue.Writer.TryComplete();
    }
}
