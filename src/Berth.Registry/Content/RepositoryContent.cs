using System.Text.Json;
using Berth.Registry.Storage;
using Berth.Store;

namespace Berth.Registry.Content;

/// <summary>
/// What each repository holds: links to the shared blobs pushed or mounted into it, its manifests and its tags, all
/// in the store, so every server sees one truth and a push is durable once answered. The distribution API and ECR's
/// image API both read and write repositories through here.
/// </summary>
public sealed class RepositoryContent(IStore store, BlobStore blobs, TimeProvider time)
{
    public const string KeyPrefix = "/registry/";
    internal const string LayersFolder = "_layers/";
    internal const string ManifestsFolder = "_manifests/";
    internal const string TagsFolder = "_tags/";

    /// <summary>The largest manifest accepted: 4 MiB, the least the distribution spec asks registries to take.</summary>
    public const int MaxManifestSize = 4 * 1024 * 1024;

    public BlobStore Blobs => blobs;

    /// <summary>The blob, when the repository holds it (pushed or mounted there, and still stored).</summary>
    public async Task<BlobInfo?> FindBlobAsync(RegistryRepository repository, Digest digest, CancellationToken cancellationToken) =>
        await store.GetAsync(repository.KeyPrefix + LayersFolder + digest, cancellationToken: cancellationToken) is null ? null : blobs.Stat(digest);

    /// <summary>Makes a stored blob part of the repository. False when the store does not hold the blob.</summary>
    public async Task<bool> LinkBlobAsync(RegistryRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        if (!blobs.Touch(digest))
        {
            return false;
        }
        var key = repository.KeyPrefix + LayersFolder + digest;
        try
        {
            await store.CreateAsync(key, JsonSerializer.SerializeToUtf8Bytes(new BlobLink(time.GetUtcNow()), ContentJson.Default.BlobLink), cancellationToken);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
        {
            // linked before: the touch above is all a second push needs
        }
        return true;
    }

    /// <summary>Removes the blob from the repository; the garbage collector frees it once no repository refers to it.</summary>
    public Task<bool> UnlinkBlobAsync(RegistryRepository repository, Digest digest, CancellationToken cancellationToken) =>
        DeleteKeyAsync(repository.KeyPrefix + LayersFolder + digest, cancellationToken);

    /// <summary>Starts a blob upload into the repository and returns its id.</summary>
    public string StartUpload(RegistryRepository repository) => blobs.StartUpload(repository.KeyPrefix);

    /// <summary>The bytes an upload holds, or null when it is not an upload of this repository.</summary>
    public long? UploadSize(RegistryRepository repository, string uploadId) =>
        blobs.UploadOwner(uploadId) == repository.KeyPrefix ? blobs.UploadSize(uploadId) : null;

    /// <summary>Ends an upload (see <see cref="BlobStore.CompleteAsync"/>) and links the blob into the repository.</summary>
    public async Task<BlobInfo> CompleteUploadAsync(RegistryRepository repository, string uploadId, Digest digest, Stream? last, long? offset, CancellationToken cancellationToken)
    {
        var blob = await blobs.CompleteAsync(uploadId, digest, last, offset, cancellationToken);
        await LinkBlobAsync(repository, digest, cancellationToken);
        return blob;
    }

    /// <summary>
    /// Stores a manifest under <paramref name="reference"/>, a tag or the manifest's digest. Everything it names must be
    /// in the repository already: blobs of the right size, and for an index its manifests. The manifest is written
    /// before its tag, so a tag never names a manifest that is not there.
    /// </summary>
    public async Task<StoredManifest> PutManifestAsync(RegistryRepository repository, string reference, byte[] content, string? contentType, CancellationToken cancellationToken)
    {
        var (tag, digest) = ParseReference(reference);
        if (digest is { } addressed && Digest.Compute(content, addressed.Algorithm) != addressed)
        {
            throw new ContentException(ContentError.DigestInvalid, $"the manifest's digest is {Digest.Compute(content, addressed.Algorithm)}, not {addressed}");
        }
        var actual = digest ?? Digest.Compute(content);
        var parsed = ManifestParser.Parse(content, contentType);
        await CheckReferencesAsync(repository, parsed, cancellationToken);
        if (tag is not null && repository.ImmutableTags && await FindTagAsync(repository, tag, cancellationToken) is { } held && held.Digest != actual.ToString())
        {
            throw ImmutableTag(repository, tag);
        }

        var manifest = new StoredManifest
        {
            Digest = actual.ToString(),
            MediaType = parsed.MediaType,
            Content = content,
            PushedAt = time.GetUtcNow(),
            Blobs = parsed.Blobs.Select(b => b.Digest.ToString()).Distinct().ToList(),
            Manifests = parsed.Manifests.Select(m => m.Digest.ToString()).Distinct().ToList(),
            ImageSize = parsed.Layers.Sum(l => l.Size),
            Subject = parsed.Subject?.Digest.ToString(),
            ArtifactType = parsed.ArtifactType,
            Annotations = parsed.Annotations,
        };
        try
        {
            await store.CreateAsync(ManifestKey(repository, actual), JsonSerializer.SerializeToUtf8Bytes(manifest, ContentJson.Default.StoredManifest), cancellationToken);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
        {
            // the same bytes were pushed before; the first push's time stands
            manifest = await FindManifestAsync(repository, actual, cancellationToken) ?? manifest;
        }
        if (tag is not null)
        {
            await SetTagAsync(repository, tag, actual, cancellationToken);
        }
        return manifest;
    }

    /// <summary>The manifest a tag or digest names, or null.</summary>
    public async Task<StoredManifest?> FindManifestAsync(RegistryRepository repository, string reference, CancellationToken cancellationToken)
    {
        var (tag, digest) = ParseReference(reference);
        if (tag is not null)
        {
            if (await FindTagAsync(repository, tag, cancellationToken) is not { } held)
            {
                return null;
            }
            digest = Digest.Parse(held.Digest);
        }
        return await FindManifestAsync(repository, digest!.Value, cancellationToken);
    }

    public async Task<StoredManifest?> FindManifestAsync(RegistryRepository repository, Digest digest, CancellationToken cancellationToken) =>
        await store.GetAsync(ManifestKey(repository, digest), cancellationToken: cancellationToken) is { } entry
            ? JsonSerializer.Deserialize(entry.Value.Span, ContentJson.Default.StoredManifest)
            : null;

    public async Task<StoredTag?> FindTagAsync(RegistryRepository repository, string tag, CancellationToken cancellationToken) =>
        await store.GetAsync(repository.KeyPrefix + TagsFolder + tag, cancellationToken: cancellationToken) is { } entry
            ? JsonSerializer.Deserialize(entry.Value.Span, ContentJson.Default.StoredTag)
            : null;

    /// <summary>Every manifest of the repository, in digest order.</summary>
    public async Task<List<StoredManifest>> ListManifestsAsync(RegistryRepository repository, CancellationToken cancellationToken) =>
        (await ListAsync(repository.KeyPrefix + ManifestsFolder, cancellationToken))
            .Select(e => JsonSerializer.Deserialize(e.Value.Span, ContentJson.Default.StoredManifest)!).ToList();

    /// <summary>Every tag of the repository, in the byte order of their names.</summary>
    public async Task<List<(string Tag, StoredTag Target)>> ListTagsAsync(RegistryRepository repository, CancellationToken cancellationToken)
    {
        var prefix = repository.KeyPrefix + TagsFolder;
        return (await ListAsync(prefix, cancellationToken))
            .Select(e => (e.Key[prefix.Length..], JsonSerializer.Deserialize(e.Value.Span, ContentJson.Default.StoredTag)!)).ToList();
    }

    /// <summary>Points <paramref name="tag"/> at a manifest the repository holds (an immutable repository's tags never move).</summary>
    public async Task SetTagAsync(RegistryRepository repository, string tag, Digest digest, CancellationToken cancellationToken)
    {
        var key = repository.KeyPrefix + TagsFolder + tag;
        var value = JsonSerializer.SerializeToUtf8Bytes(new StoredTag(digest.ToString(), time.GetUtcNow()), ContentJson.Default.StoredTag);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await store.CreateAsync(key, value, cancellationToken);
                return;
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
            {
                // the tag exists: move it below unless it already points here
            }
            var entry = await store.GetAsync(key, cancellationToken: cancellationToken);
            if (entry is null)
            {
                continue;
            }
            var held = JsonSerializer.Deserialize(entry.Value.Span, ContentJson.Default.StoredTag)!;
            if (held.Digest == digest.ToString())
            {
                return;
            }
            if (repository.ImmutableTags)
            {
                throw ImmutableTag(repository, tag);
            }
            try
            {
                await store.UpdateAsync(key, value, entry.ModRevision, cancellationToken);
                return;
            }
            catch (StoreException e) when (e.Code is StoreErrorCode.Conflict or StoreErrorCode.KeyNotFound)
            {
                // another push moved or removed the tag meanwhile: look again
            }
        }
        throw new ContentException(ContentError.TagConflict, $"tag {tag} is being changed by another request; retry");
    }

    public Task<bool> DeleteTagAsync(RegistryRepository repository, string tag, CancellationToken cancellationToken) =>
        DeleteKeyAsync(repository.KeyPrefix + TagsFolder + tag, cancellationToken);

    /// <summary>Deletes a manifest and every tag that names it. False when the repository does not hold it.</summary>
    public async Task<bool> DeleteManifestAsync(RegistryRepository repository, Digest digest, CancellationToken cancellationToken)
    {
        foreach (var (tag, target) in await ListTagsAsync(repository, cancellationToken))
        {
            if (target.Digest == digest.ToString())
            {
                await DeleteTagAsync(repository, tag, cancellationToken);
            }
        }
        return await DeleteKeyAsync(ManifestKey(repository, digest), cancellationToken);
    }

    /// <summary>Deletes everything the repository holds, tags first, so nothing is ever left naming what is gone.</summary>
    public async Task DeleteAllAsync(RegistryRepository repository, CancellationToken cancellationToken)
    {
        foreach (var folder in new[] { TagsFolder, ManifestsFolder, LayersFolder })
        {
            foreach (var entry in await ListAsync(repository.KeyPrefix + folder, cancellationToken))
            {
                await DeleteKeyAsync(entry.Key, cancellationToken);
            }
        }
    }

    /// <summary>A reference is a digest when it has the <c>algorithm:</c> form, otherwise a tag.</summary>
    public static (string? Tag, Digest? Digest) ParseReference(string reference)
    {
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            return Digest.TryParse(reference, out var digest) ? (null, digest)
                : throw new ContentException(ContentError.DigestInvalid, $"invalid digest \"{reference}\"");
        }
        return RegistryRepository.IsValidTag(reference) ? (reference, null)
            : throw new ContentException(ContentError.TagInvalid, $"invalid tag \"{reference}\"");
    }

    private async Task CheckReferencesAsync(RegistryRepository repository, ParsedManifest manifest, CancellationToken cancellationToken)
    {
        foreach (var blob in manifest.Blobs)
        {
            if (await FindBlobAsync(repository, blob.Digest, cancellationToken) is not { } held)
            {
                throw new ContentException(ContentError.ManifestBlobUnknown, $"blob {blob.Digest} is not in repository {repository.Name}");
            }
            if (held.Size != blob.Size)
            {
                throw new ContentException(ContentError.ManifestInvalid, $"blob {blob.Digest} has {held.Size} bytes, not the {blob.Size} the manifest says");
            }
            // referenced from now on: a collection that began before this push spares it
            blobs.Touch(blob.Digest);
        }
        foreach (var child in manifest.Manifests)
        {
            if (await FindManifestAsync(repository, child.Digest, cancellationToken) is null)
            {
                throw new ContentException(ContentError.ReferencedManifestUnknown, $"manifest {child.Digest} is not in repository {repository.Name}");
            }
        }
    }

    private async Task<List<StoreEntry>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var entries = new List<StoreEntry>();
        string? next = null;
        do
        {
            var page = await store.ListAsync(prefix, new ListOptions(Limit: 500, Continue: next), cancellationToken);
            entries.AddRange(page.Items);
            next = page.Continue;
        }
        while (next is not null);
        return entries;
    }

    private async Task<bool> DeleteKeyAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(key, cancellationToken: cancellationToken);
            return true;
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
        {
            return false;
        }
    }

    private static string ManifestKey(RegistryRepository repository, Digest digest) => repository.KeyPrefix + ManifestsFolder + digest;

    private static ContentException ImmutableTag(RegistryRepository repository, string tag) =>
        new(ContentError.TagInvalid, $"The image tag '{tag}' already exists in the '{repository.Name}' repository and cannot be overwritten because the repository is immutable.")
        {
            TagAlreadyExists = true,
        };
}
