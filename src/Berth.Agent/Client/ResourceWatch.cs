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
/// each line one event, its object decoded with the client's own serializer. An ERROR event (the version expired, the
/// watch refused) ends the watch with the Status it carries, for the caller to list again.
/// </summary>
internal static class ResourceWatch
{
    /// <summary>Watches <paramref name="path"/> (<c>api/v1/pods</c>) from <paramref name="resourceVersion"/>, with bookmarks.</summary>
    public static async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync<T>(this Kubernetes client, string path,
        string resourceVersion, string? fieldSelector, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var query = $"?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}"
            + (fieldSelector is null ? "" : "&fieldSelector=" + Uri.EscapeDataString(fieldSelector));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, path + query));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }
        // the client's timeout bounds the wait for the headers only; the stream then lasts as long as the server keeps it
        using var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the watch of {path} was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}",
                null, response.StatusCode);
        }
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
                "ERROR" => throw new WatchEndedException(KubernetesJson.Deserialize<V1Status>(item)),
                _ => throw new JsonException($"a watch event of unknown type \"{type}\""),
            };
            yield return (kind, KubernetesJson.Deserialize<T>(item));
        }
    }
}

/// <summary>A watch the server ended with an ERROR event (410 Gone when the version expired).</summary>
internal sealed class WatchEndedException(V1Status status) : Exception($"the server ended the watch: {status.Code} {status.Reason}: {status.Message}");
