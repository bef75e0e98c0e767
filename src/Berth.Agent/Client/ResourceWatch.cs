using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Berth.Agent.Client;

/// <summary>The kinds of watch event, the <c>type</c> of each line of a watch.</summary>
internal enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>
/// Watches of a resource collection (<c>?watch=true</c>), read line by line as client-go's stream watcher reads them:
/// each line one event, its object decoded with the resource's serializer. An ERROR event (the version expired, the
/// watch refused) ends the watch with the Status it carries, for the caller to list again.
/// </summary>
internal static class ResourceWatch
{
    /// <summary>Watches the collection across namespaces from <paramref name="resourceVersion"/>, with bookmarks.</summary>
    public static async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync<T, TList>(this ApiClient client, ApiResource<T, TList> resource,
        string resourceVersion, string? fieldSelector, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IKubernetesObject<V1ListMeta>, IItems<T>
    {
        var query = $"?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}"
            + (fieldSelector is null ? "" : "&fieldSelector=" + Uri.EscapeDataString(fieldSelector));
        using var request = new HttpRequestMessage(HttpMethod.Get, resource.CollectionPath + query);
        // the client's timeout bounds the wait for the headers only; the stream then lasts as long as the server keeps it
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var document = JsonDocument.Parse(line);
            var type = document.RootElement.GetProperty("type").GetString();
            var item = document.RootElement.GetProperty("object");
            var kind = type switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                "ERROR" => throw new WatchEndedException(item.Deserialize(AgentJson.Default.V1Status)),
                _ => throw new JsonException($"a watch event of unknown type \"{type}\""),
            };
            yield return (kind, item.Deserialize(resource.Type) ?? throw new JsonException($"a {type} event without an object"));
        }
    }
}

/// <summary>A watch the server ended with an ERROR event (410 Gone when the version expired).</summary>
internal sealed class WatchEndedException(V1Status? status) : Exception($"the server ended the watch: {status?.Code} {status?.Reason}: {status?.Message}");
