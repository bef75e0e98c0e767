using Berth.Store;

namespace Berth.Kube.Api;

/// <summary>
/// Asks the store for watch progress on behalf of watches that want bookmarks. One store request reaches every
/// watch, so requests closer together than <see cref="MinimumGap"/> are folded into one.
/// </summary>
internal sealed class WatchProgress(IStore store, TimeProvider time)
{
    public static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(250);

    private long _lastTicks;

    public void Request()
    {
        var now = time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastTicks);
        if (now - last < MinimumGap.Ticks || Interlocked.CompareExchange(ref _lastTicks, now, last) != last)
        {
            return;
        }
        store.RequestWatchProgress();
    }
}
