using System.Text.Json;
using Berth.Registry.Distribution;
using Berth.Registry.Storage;
using Berth.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Registry.Content;

/// <summary>
/// Frees the disk space nothing refers to any more: blobs no manifest of any repository names, and uploads nobody
/// finished. Mark and sweep, safe against pushes in flight: the mark is every manifest in the store, and the sweep
/// spares every blob written or touched within <see cref="Grace"/> of the mark's start. A push touches each blob its
/// manifest names before it writes the manifest, so a blob is either touched recently or named by a manifest the mark
/// read; and blobs pushed ahead of their manifest have the grace period to be named.
/// </summary>
public sealed partial class GarbageCollector(IStore store, BlobStore blobs, IRegistryAccess access, TimeProvider time, ILogger<GarbageCollector> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    /// <summary>How long an unreferenced blob and an idle upload are kept: long enough for any push to name what it uploaded.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromHours(1);

    /// <summary>One collection; returns the blobs and uploads it removed.</summary>
    public async Task<(int Blobs, int Uploads)> CollectAsync(CancellationToken cancellationToken)
    {
        var markedAt = time.GetUtcNow() - Grace;
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var links = new List<(string Key, string Digest)>();
        var contentKeys = new Dictionary<(string Scope, string Repository), List<string>>();
        string? next = null;
        do
        {
            var page = await store.ListAsync(RepositoryContent.KeyPrefix, new ListOptions(Limit: 500, Continue: next), cancellationToken);
            foreach (var entry in page.Items)
            {
                var folder = FolderOf(entry.Key, out var name);
                if (RepositoryOf(entry.Key) is { } repository)
                {
                    (contentKeys.TryGetValue(repository, out var keys) ? keys : contentKeys[repository] = []).Add(entry.Key);
                }
                if (folder == RepositoryContent.ManifestsFolder)
                {
                    referenced.UnionWith(JsonSerializer.Deserialize(entry.Value.Span, ContentJson.Default.StoredManifest)!.Blobs);
                }
                else if (folder == RepositoryContent.LayersFolder)
                {
                    links.Add((entry.Key, name));
                }
            }
            next = page.Continue;
        }
        while (next is not null);

        foreach (var ((scope, repository), keys) in contentKeys)
        {
            if (!await access.RepositoryExistsAsync(scope, repository, cancellationToken))
            {
                foreach (var key in keys)
                {
                    await DeleteKeyAsync(key, cancellationToken);
                }
            }
        }
        var freedBlobs = blobs.Sweep(digest => referenced.Contains(digest.ToString()), markedAt);
        // a link to a blob the sweep freed names nothing now
        foreach (var (key, digest) in links)
        {
            if (Digest.TryParse(digest, out var parsed) && blobs.Stat(parsed) is null)
            {
                await DeleteKeyAsync(key, cancellationToken);
            }
        }
        var freedUploads = blobs.RemoveAbandonedUploads(time.GetUtcNow() - Grace);
        if (freedBlobs + freedUploads > 0)
        {
            LogCollected(logger, freedBlobs, freedUploads);
        }
        return (freedBlobs, freedUploads);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CollectAsync(stoppingToken);
            }
            catch (Exception e) when (e is StoreException or IOException or UnauthorizedAccessException)
            {
                LogFailed(logger, e);
            }
        }
    }

    private async Task DeleteKeyAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(key, cancellationToken: cancellationToken);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
        {
            // deleted meanwhile
        }
    }

    /// <summary>
    /// The scope and repository of a content key, <c>/registry/&lt;account&gt;/&lt;region&gt;/&lt;name…&gt;/_&lt;folder&gt;/&lt;item&gt;</c>:
    /// the scope is its first two segments, the name everything up to the folder.
    /// </summary>
    private static (string Scope, string Repository)? RepositoryOf(string key)
    {
        var segments = key[RepositoryContent.KeyPrefix.Length..].Split('/');
        return segments.Length >= 5 ? ($"{segments[0]}/{segments[1]}", string.Join('/', segments[2..^2])) : null;
    }

    /// <summary>The repository folder a content key is in (<c>_layers/</c>, <c>_manifests/</c>, <c>_tags/</c>) and the name in it.</summary>
    private static string? FolderOf(string key, out string name)
    {
        var slash = key.LastIndexOf('/');
        var folderStart = key.LastIndexOf('/', slash - 1) + 1;
        name = key[(slash + 1)..];
        return key[folderStart..(slash + 1)];
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registry garbage collection freed {Blobs} blobs and {Uploads} abandoned uploads")]
    private static partial void LogCollected(ILogger logger, int blobs, int uploads);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Registry garbage collection failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
