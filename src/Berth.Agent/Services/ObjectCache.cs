using System.Collections.Concurrent;
using Berth.Agent.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Services;

/// <summary>
/// The objects of one kind as the server holds them, kept by listing and then watching from the list's
/// resourceVersion, as client-go's reflector does; a broken watch (the server away, the version expired) lists again.
/// <c>changed</c> is called after every change seen.
/// </summary>
internal sealed partial class ObjectCache<T, TList>(ApiClient client, ApiResource<T, TList> resource, Action changed, TimeProvider time, ILogger logger)
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    private readonly ConcurrentDictionary<string, T> _objects = new(StringComparer.Ordinal);

    /// <summary>Whether a first list has filled the cache.</summary>
    public bool Synced { get; private set; }

    public IReadOnlyCollection<T> Objects => [.. _objects.Values];

    private static string Key(T item) => item.Metadata.NamespaceProperty + "/" + item.Metadata.Name;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await client.ListAsync(resource, null, cancellationToken);
                var items = list.Items;
                var listed = items.Select(Key).ToHashSet(StringComparer.Ordinal);
                foreach (var gone in _objects.Keys.Where(k => !listed.Contains(k)))
                {
                    _objects.TryRemove(gone, out _);
                }
                foreach (var item in items)
                {
                    _objects[Key(item)] = item;
                }
                Synced = true;
                changed();
                await foreach (var (type, item) in client.WatchAsync(resource, list.Metadata.ResourceVersion, null, cancellationToken))
                {
                    if (type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        _objects[Key(item)] = item;
                    }
                    else if (type is WatchEventType.Deleted)
                    {
                        _objects.TryRemove(Key(item), out _);
                    }
                    else
                    {
                        continue; // a bookmark
                    }
                    changed();
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogWatchFailed(logger, typeof(T).Name, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 5100, Level = LogLevel.Warning, Message = "The watch of {Kind} objects ended; listing again")]
    private static partial void LogWatchFailed(ILogger logger, string kind, Exception exception);
}
