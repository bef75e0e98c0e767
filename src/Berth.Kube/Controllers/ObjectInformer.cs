using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Store;

namespace Berth.Kube.Controllers;

/// <summary>One change an informer saw: the object before (null when added) and after (null when deleted).</summary>
internal sealed record ObjectChange(string Key, JsonObject? Old, JsonObject? New);

/// <summary>
/// Keeps a copy of every object under a store prefix and reports each change, as client-go's informers do: a list,
/// then a watch from the list's revision. A watch that falls behind compaction (TooOld) lists again, and the
/// differences from the copy are reported as changes, so no deletion is missed.
/// </summary>
/// <remarks>
/// <paramref name="retain"/> picks what of each object the informer keeps in memory, for a controller that needs
/// little of many objects (the garbage collector's ownership fields of everything); changes still carry whole objects.
/// </remarks>
internal sealed class ObjectInformer(IStore store, string prefix, Action<ObjectChange> onChange, Func<JsonObject, JsonObject>? retain = null)
{
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first list has been reported.</summary>
    public Task Synced => _synced.Task;

    public JsonObject? Get(string key) => _objects.GetValueOrDefault(key);

    public IEnumerable<KeyValuePair<string, JsonObject>> Objects => _objects;

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
                    var old = e.PrevValue.IsEmpty ? null : ObjectStorage.Decode(e.PrevValue, e.Revision);
                    if (e.Type == WatchEventType.Deleted)
                    {
                        _objects.TryRemove(e.Entry.Key, out _);
                        onChange(new ObjectChange(e.Entry.Key, old ?? ObjectStorage.Decode(e.Entry), null));
                        continue;
                    }
                    var now = ObjectStorage.Decode(e.Entry);
                    _objects[e.Entry.Key] = Retained(now);
                    onChange(new ObjectChange(e.Entry.Key, old, now));
                }
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.TooOld)
            {
                // fell behind: list again, and report what changed meanwhile
            }
        }
    }

    private JsonObject Retained(JsonObject obj) => retain is null ? obj : retain(obj);

    private async Task<long> ListAsync(CancellationToken cancellationToken)
    {
        var list = await store.ListAsync(prefix, cancellationToken: cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in list.Items)
        {
            seen.Add(entry.Key);
            var now = ObjectStorage.Decode(entry);
            var old = _objects.GetValueOrDefault(entry.Key);
            if (old is null || old["metadata"]?["resourceVersion"].AsText() != now["metadata"]?["resourceVersion"].AsText())
            {
                _objects[entry.Key] = Retained(now);
                onChange(new ObjectChange(entry.Key, old, now));
            }
        }
        foreach (var gone in _objects.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            if (_objects.TryRemove(gone, out var old))
            {
                onChange(new ObjectChange(gone, old, null));
            }
        }
        return list.Revision;
    }
}
