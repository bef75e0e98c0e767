namespace Berth.Store.Watch;

/// <summary>
/// Live subscriptions grouped by prefix, so finding the watchers of a key costs one lookup per prefix
/// of the key, however many watchers there are.
/// </summary>
internal sealed class SubscriptionIndex
{
    private readonly Dictionary<string, List<WatchSubscription>> _byPrefix = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<WatchSubscription>>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public SubscriptionIndex()
    {
        _lookup = _byPrefix.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count { get; private set; }

    public void Add(WatchSubscription subscription)
    {
        if (!_byPrefix.TryGetValue(subscription.Prefix, out var list))
        {
            _byPrefix[subscription.Prefix] = list = [];
        }
        list.Add(subscription);
        Count++;
    }

    public bool Remove(WatchSubscription subscription)
    {
        if (!_byPrefix.TryGetValue(subscription.Prefix, out var list) || !list.Remove(subscription))
        {
            return false;
        }
        if (list.Count == 0)
        {
            _byPrefix.Remove(subscription.Prefix);
        }
        Count--;
        return true;
    }

    /// <summary>Every subscription whose prefix <paramref name="key"/> starts with.</summary>
    public IEnumerable<WatchSubscription> Matching(string key)
    {
        for (var length = 1; length <= key.Length; length++)
        {
            if (_lookup.TryGetValue(key.AsSpan(0, length), out var list))
            {
                foreach (var subscription in list)
                {
                    yield return subscription;
                }
            }
        }
    }

    public IEnumerable<WatchSubscription> All => _byPrefix.Values.SelectMany(list => list);

    public void Clear()
    {
        _byPrefix.Clear();
        Count = 0;
    }
}
