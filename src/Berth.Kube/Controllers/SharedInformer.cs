using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Store;

namespace Berth.Kube.Controllers;

/// <summary>Reads a stored object, at the revision given, into what an informer keeps of it.</summary>
internal delegate JsonObject ObjectDecoder(ReadOnlyMemory<byte> value, long revision);

/// <summary>
/// One list and watch of a store prefix whose objects are kept once in memory and whose changes go to every
/// subscriber, as client-go's shared informers serve every controller of kube-controller-manager: each stored
/// change is decoded once however many controllers watch the kind. A watch that falls behind compaction (TooOld)
/// lists again, and the differences from the copy are reported as changes, so no deletion is missed. Objects are
/// kept without their managedFields (<see cref="ObjectStorage.DecodeForCache"/>).
/// </summary>
/// <remarks>
/// Subscribers receive the cached objects themselves and must treat them as read-only. <paramref name="decode"/>
/// reads a stored object into what is kept and published of it, for an informer that is not shared and needs
/// little of many objects; by default every field but the managedFields.
/// </remarks>
internal sealed class SharedInformer(IStore store, string prefix, ObjectDecoder? decode = null)
{
    private readonly Lock _gate = new(); // orders changes, cache updates and subscriptions
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<ObjectChange>[] _subscribers = [];

    public string Prefix => prefix;

    /// <summary>Completes once the first list has been reported.</summary>
    public Task Synced => _synced.Task;

    public JsonObject? Get(string key) => _objects.GetValueOrDefault(key);

    public IEnumerable<KeyValuePair<string, JsonObject>> Objects => _objects;

    /// <summary>
    /// Sends <paramref name="onChange"/> every object already held, as an addition, then every change until the
    /// returned handle is disposed. It runs on the informer's watch, so it must be quick and must not throw.
    /// </summary>
    public IDisposable Subscribe(Action<ObjectChange> onChange)
    {
        lock (_gate)
        {
            foreach (var (key, obj) in _objects)
            {
                onChange(new ObjectChange(key, null, obj));
            }
            _subscribers = [.. _subscribers, onChange];
        }
        return new Subscription(this, onChange);
    }

    /// <summary>Lists and watches until cancelled or the store closes.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var revision = await ListAsync(cancellationToken);
            _synced.TrySetResult();
            try
            {
                await foreach (var e in store.WatchAsync(prefix, revision, cancellationToken))
                {
                    if (e.Type == WatchEventType.Progress)
                    {
                        continue;
                    }
                    lock (_gate)
                    {
                        var old = _objects.GetValueOrDefault(e.Entry.Key)
                            ?? (e.PrevValue.IsEmpty ? null : Decode(e.PrevValue, e.Revision));
                        if (e.Type == WatchEventType.Deleted)
                        {
                            _objects.TryRemove(e.Entry.Key, out _);
                            Publish(new ObjectChange(e.Entry.Key, old ?? Decode(e.Entry), null));
                            continue;
                        }
                        var now = Decode(e.Entry);
                        _objects[e.Entry.Key] = now;
                        Publish(new ObjectChange(e.Entry.Key, old, now));
                    }
                }
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.TooOld)
            {
                // fell behind: list again, and report what changed meanwhile
            }
        }
    }

    private void Publish(ObjectChange change)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber(change);
        }
    }

    private JsonObject Decode(StoreEntry entry) => Decode(entry.Value, entry.ModRevision);

    private JsonObject Decode(ReadOnlyMemory<byte> value, long revision) => (decode ?? ObjectStorage.DecodeForCache)(value, revision);

    private async Task<long> ListAsync(CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(prefix, cancellationToken: cancellationToken);
        lock (_gate)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in list.Items)
            {
                seen.Add(entry.Key);
                var now = Decode(entry);
                var old = _objects.GetValueOrDefault(entry.Key);
                if (old is null || old["metadata"]?["resourceVersion"].AsText() != now["metadata"]?["resourceVersion"].AsText())
                {
                    _objects[entry.Key] = now;
                    Publish(new ObjectChange(entry.Key, old, now));
                }
            }
            foreach (var gone in _objects.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                if (_objects.TryRemove(gone, out var old))
                {
                    Publish(new ObjectChange(gone, old, null));
                }
            }
        }
        return list.Revision;
    }

    private sealed class Subscription(SharedInformer informer, Action<ObjectChange> onChange) : IDisposable
    {
        public void Dispose()
        {
            lock (informer._gate)
            {
                informer._subscribers = [.. informer._subscribers.Where(s => !ReferenceEquals(s, onChange))];
            }
        }
    }
}
