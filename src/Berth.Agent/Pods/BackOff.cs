namespace Berth.Agent.Pods;

/// <summary>
/// Exponential back-off per key, as the kubelet's for restarting crashed containers and pulling images: the first
/// delay is <c>initial</c>, each further failure doubles it up to <c>max</c>, and a key that has seen no failure for
/// twice <c>max</c> starts over. Berth.Kube compiles this file too, for the DaemonSet controller's back-off on
/// failed daemon pods (client-go's flowcontrol.Backoff, as the kubelet's is).
/// </summary>
internal sealed class BackOff(TimeSpan initial, TimeSpan max, TimeProvider time)
{
    /// <summary>The kubelet's: 10 s doubling to 5 min.</summary>
    public static BackOff Kubelet(TimeProvider time) => new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), time);

    private readonly Dictionary<string, (TimeSpan Delay, DateTimeOffset LastUpdate)> _entries = new(StringComparer.Ordinal);

    /// <summary>Records a failure at <paramref name="eventTime"/>: the delay grows.</summary>
    public void Next(string key, DateTimeOffset eventTime)
    {
        lock (_entries)
        {
            _entries[key] = _entries.TryGetValue(key, out var entry) && !Expired(entry.LastUpdate, eventTime)
                ? (TimeSpan.FromTicks(Math.Min(entry.Delay.Ticks * 2, max.Ticks)), eventTime)
                : (initial, eventTime);
        }
    }

    /// <summary>Whether the delay after the failure at <paramref name="eventTime"/> has not run out yet; and how long it still runs.</summary>
    public bool InBackOffSince(string key, DateTimeOffset eventTime, out TimeSpan remaining)
    {
        remaining = TimeSpan.Zero;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out var entry) || Expired(entry.LastUpdate, time.GetUtcNow()))
            {
                return false;
            }
            remaining = entry.Delay - (time.GetUtcNow() - eventTime);
            return remaining > TimeSpan.Zero;
        }
    }

    /// <summary>Whether the delay since the key's last failure has not run out yet (a pull's back-off); and how long it still runs.</summary>
    public bool InBackOffSinceUpdate(string key, out TimeSpan remaining)
    {
        remaining = TimeSpan.Zero;
        lock (_entries)
        {
            var now = time.GetUtcNow();
            if (!_entries.TryGetValue(key, out var entry) || Expired(entry.LastUpdate, now))
            {
                return false;
            }
            remaining = entry.Delay - (now - entry.LastUpdate);
            return remaining > TimeSpan.Zero;
        }
    }

    /// <summary>The current delay for <paramref name="key"/>.</summary>
    public TimeSpan Delay(string key)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(key, out var entry) ? entry.Delay : TimeSpan.Zero;
        }
    }

    /// <summary>Forgets the keys that <paramref name="gone"/> says belong to what no longer exists.</summary>
    public void Forget(Func<string, bool> gone)
    {
        lock (_entries)
        {
            foreach (var key in _entries.Keys.Where(gone).ToList())
            {
                _entries.Remove(key);
            }
        }
    }

    private bool Expired(DateTimeOffset lastUpdate, DateTimeOffset now) => now - lastUpdate > 2 * max;
}
