using System.Buffers;
using System.Collections.Concurrent;

namespace Berth.Registry.Storage;

/// <summary>What the store holds of one blob.</summary>
public readonly record struct BlobInfo(Digest Digest, long Size);

/// <summary>
/// Blobs on disk, addressed by content and shared by every repository: a blob pushed to two repositories is one file,
/// <c>blobs/&lt;algorithm&gt;/&lt;first two hex&gt;/&lt;hex&gt;</c>. Uploads are written under <c>uploads/&lt;id&gt;/</c>, hashed
/// as they stream, and become a blob by one rename once their digest is verified, so a reader sees a whole, verified
/// blob or none. Which blobs are referenced is the metadata's business: anything that makes a blob referenced calls
/// <see cref="Touch"/> (or completes an upload), and <see cref="Sweep"/> spares blobs touched after its mark began.
/// </summary>
public sealed class BlobStore
{
    internal const int BufferSize = 256 * 1024;

    private readonly string _blobs;
    private readonly string _uploads;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, BlobUpload> _open = new(StringComparer.Ordinal);

    /// <summary>Orders a blob's touch, its publication and a sweep's decision to delete it.</summary>
    private readonly Lock _touchGate = new();

    public BlobStore(string root, TimeProvider time)
    {
        _blobs = Path.Combine(root, "blobs");
        _uploads = Path.Combine(root, "uploads");
        _time = time;
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_uploads);
    }

    /// <summary>Starts an upload for <paramref name="owner"/> (the repository it is pushed to) and returns its id.</summary>
    public string StartUpload(string owner = "")
    {
        var id = Guid.NewGuid().ToString("N");
        var directory = Path.Combine(_uploads, id);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "owner"), owner);
        File.Create(Path.Combine(directory, "data")).Dispose();
        return id;
    }

    /// <summary>Whom the upload was started for, or null when there is no such upload.</summary>
    public string? UploadOwner(string id)
    {
        if (!IsUploadId(id))
        {
            return null;
        }
        try
        {
            return File.ReadAllText(Path.Combine(_uploads, id, "owner"));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The bytes an upload holds so far, or null when there is no such upload.</summary>
    public long? UploadSize(string id) =>
        IsUploadId(id) && new FileInfo(DataPath(id)) is { Exists: true } data ? data.Length : null;

    /// <summary>
    /// Appends <paramref name="content"/> to the upload, which must end at <paramref name="offset"/> when one is given
    /// (a chunk's <c>Content-Range</c> start). Returns the upload's size after it. A chunk that fails half-way (the
    /// client went away) leaves the upload as it was before the chunk.
    /// </summary>
    public async Task<long> AppendAsync(string id, Stream content, long? offset, CancellationToken cancellationToken)
    {
        var upload = await EnterAsync(id, cancellationToken);
        try
        {
            return await AppendLockedAsync(upload, content, offset, cancellationToken);
        }
        finally
        {
            upload.Writer.Release();
        }
    }

    /// <summary>
    /// Ends an upload: appends <paramref name="last"/> if given, checks the content against <paramref name="digest"/>
    /// and makes it the blob. On a digest mismatch the upload is removed, as nothing can make it right.
    /// </summary>
    public async Task<BlobInfo> CompleteAsync(string id, Digest digest, Stream? last, long? offset, CancellationToken cancellationToken)
    {
        var upload = await EnterAsync(id, cancellationToken);
        var ended = false;
        try
        {
            if (last is not null)
            {
                await AppendLockedAsync(upload, last, offset, cancellationToken);
            }
            await upload.EnsureHashedAsync(cancellationToken);
            var size = upload.HashedLength;
            var actual = digest.Algorithm == Digest.Sha256
                ? Digest.FromHash(Digest.Sha256, upload.Hash!.GetCurrentHash())
                : await HashFileAsync(upload.DataPath, digest.Algorithm, cancellationToken);
            if (actual != digest)
            {
                ended = true;
                RemoveUpload(upload);
                throw new BlobStoreException(BlobStoreError.DigestMismatch, $"the uploaded content has digest {actual}, not {digest}");
            }
            await using (var data = new FileStream(upload.DataPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
            {
                data.Flush(flushToDisk: true);
            }
            Publish(upload.DataPath, digest);
            ended = true;
            RemoveUpload(upload);
            return new BlobInfo(digest, size);
        }
        finally
        {
            if (!ended)
            {
                upload.Writer.Release();
            }
        }
    }

    /// <summary>Cancels an upload and frees its space.</summary>
    public async Task CancelUploadAsync(string id, CancellationToken cancellationToken)
    {
        var upload = await EnterAsync(id, cancellationToken);
        RemoveUpload(upload);
    }

    /// <summary>The blob's size, or null when the store does not hold it.</summary>
    public BlobInfo? Stat(Digest digest) =>
        new FileInfo(BlobPath(digest)) is { Exists: true } file ? new BlobInfo(digest, file.Length) : null;

    /// <summary>The blob's content for reading (and seeking, for ranges), or null when the store does not hold it.</summary>
    public FileStream? OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(BlobPath(digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Marks a blob as just referenced (a manifest naming it, a mount into another repository), so a sweep whose mark
    /// began before now leaves it. False when the store does not hold it.
    /// </summary>
    public bool Touch(Digest digest)
    {
        lock (_touchGate)
        {
            try
            {
                File.SetLastWriteTimeUtc(BlobPath(digest), _time.GetUtcNow().UtcDateTime);
                return true;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }
        }
    }

    /// <summary>Every blob the store holds, with the last time it was written or touched.</summary>
    public IEnumerable<(Digest Digest, DateTimeOffset Touched)> Blobs()
    {
        foreach (var algorithm in Directory.EnumerateDirectories(_blobs))
        {
            foreach (var file in Directory.EnumerateFiles(algorithm, "*", SearchOption.AllDirectories))
            {
                if (Digest.TryParse($"{Path.GetFileName(algorithm)}:{Path.GetFileName(file)}", out var digest))
                {
                    yield return (digest, File.GetLastWriteTimeUtc(file));
                }
            }
        }
    }

    /// <summary>
    /// Deletes the blobs <paramref name="isReferenced"/> does not want that were last written or touched before
    /// <paramref name="markedAt"/>, the time the caller began reading which blobs are referenced: a blob pushed or
    /// referenced since then was touched after it and stays. Returns how many were deleted.
    /// </summary>
    public int Sweep(Func<Digest, bool> isReferenced, DateTimeOffset markedAt)
    {
        var deleted = 0;
        foreach (var (digest, touched) in Blobs().ToList())
        {
            if (touched >= markedAt || isReferenced(digest))
            {
                continue;
            }
            lock (_touchGate)
            {
                // touched while the caller was deciding: referenced again, or pushed again
                if (File.GetLastWriteTimeUtc(BlobPath(digest)) < markedAt.UtcDateTime)
                {
                    File.Delete(BlobPath(digest));
                    deleted++;
                }
            }
        }
        return deleted;
    }

    /// <summary>Removes uploads nobody has written to since <paramref name="idleSince"/>; returns how many.</summary>
    public int RemoveAbandonedUploads(DateTimeOffset idleSince)
    {
        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(_uploads))
        {
            var id = Path.GetFileName(directory);
            var data = new FileInfo(Path.Combine(directory, "data"));
            var written = data.Exists ? data.LastWriteTimeUtc : Directory.GetLastWriteTimeUtc(directory);
            if (written >= idleSince.UtcDateTime)
            {
                continue;
            }
            var upload = _open.GetOrAdd(id, _ => new BlobUpload(id, data.FullName));
            if (!upload.Writer.Wait(0))
            {
                continue; // a request is writing to it now
            }
            RemoveUpload(upload);
            removed++;
        }
        return removed;
    }

    private static async Task<long> AppendLockedAsync(BlobUpload upload, Stream content, long? offset, CancellationToken cancellationToken)
    {
        await upload.EnsureHashedAsync(cancellationToken);
        var start = upload.HashedLength;
        if (offset is { } expected && expected != start)
        {
            throw new BlobStoreException(BlobStoreError.RangeInvalid, $"the chunk starts at {expected} but the upload holds {start} bytes") { UploadSize = start };
        }
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        await using var file = new FileStream(upload.DataPath, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
        file.Seek(start, SeekOrigin.Begin);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                upload.Hashed(buffer.AsSpan(0, read));
            }
            return upload.HashedLength;
        }
        catch
        {
            // the chunk is all or nothing: the client resends it from where the upload stood
            upload.ForgetHash();
            file.SetLength(start);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Moves a verified upload's data to its blob path; when the blob is there already, touches it instead. Under the touch gate, so no
    /// sweep sees the new blob with its upload's older time.</summary>
    private void Publish(string dataPath, Digest digest)
    {
        var target = BlobPath(digest);
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        lock (_touchGate)
        {
            if (File.Exists(target))
            {
                File.SetLastWriteTimeUtc(target, _time.GetUtcNow().UtcDateTime);
                return; // the same content was pushed before: stored once
            }
            File.Move(dataPath, target, overwrite: false);
            File.SetLastWriteTimeUtc(target, _time.GetUtcNow().UtcDateTime);
        }
        DirectorySync.Flush(directory);
    }

    /// <summary>Takes the upload's writer; refuses an unknown upload and one another request is writing.</summary>
    private async Task<BlobUpload> EnterAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsUploadId(id) || !File.Exists(DataPath(id)))
        {
            throw new BlobStoreException(BlobStoreError.UploadUnknown, $"blob upload \"{id}\" is unknown");
        }
        var upload = _open.GetOrAdd(id, key => new BlobUpload(key, DataPath(key)));
        if (!await upload.Writer.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            throw new BlobStoreException(BlobStoreError.UploadBusy, $"blob upload \"{id}\" is being written by another request");
        }
        if (!File.Exists(upload.DataPath))
        {
            upload.Writer.Release();
            throw new BlobStoreException(BlobStoreError.UploadUnknown, $"blob upload \"{id}\" is unknown");
        }
        return upload;
    }

    /// <summary>Deletes an upload's files and forgets it. Called with its writer held, which is never released.</summary>
    private void RemoveUpload(BlobUpload upload)
    {
        Directory.Delete(Path.Combine(_uploads, upload.Id), recursive: true);
        _open.TryRemove(new KeyValuePair<string, BlobUpload>(upload.Id, upload));
        upload.ForgetHash();
    }

    private static async Task<Digest> HashFileAsync(string path, string algorithm, CancellationToken cancellationToken)
    {
        using var hash = Digest.CreateHash(algorithm);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
        return Digest.FromHash(algorithm, hash.GetHashAndReset());
    }

    private string BlobPath(Digest digest) => Path.Combine(_blobs, digest.Algorithm, digest.Encoded[..2], digest.Encoded);

    private string DataPath(string id) => Path.Combine(_uploads, id, "data");

    /// <summary>Upload ids are the store's own (32 lower-case hex), so no id a client sends can name another path.</summary>
    private static bool IsUploadId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
