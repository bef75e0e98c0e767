using System.Security.Cryptography;

namespace Berth.Registry.Storage;

/// <summary>
/// An upload in progress: its data file and the running SHA-256 of the bytes in it, so a blob's digest is known the
/// moment its last byte arrives. The hash lives in memory only; after a restart, or after a chunk failed half-way,
/// it is computed again from the file the first time the upload is written to.
/// </summary>
internal sealed class BlobUpload(string id, string dataPath)
{
    public string Id { get; } = id;

    public string DataPath { get; } = dataPath;

    /// <summary>Held by the one request writing to the upload; a second one at the same time is refused, not queued.</summary>
    public SemaphoreSlim Writer { get; } = new(1, 1);

    /// <summary>The SHA-256 of the file's first <see cref="HashedLength"/> bytes, or null until it is computed.</summary>
    public IncrementalHash? Hash { get; private set; }

    public long HashedLength { get; private set; }

    /// <summary>Makes <see cref="Hash"/> cover the whole file. Called with <see cref="Writer"/> held.</summary>
    public async Task EnsureHashedAsync(CancellationToken cancellationToken)
    {
        if (Hash is not null)
        {
            return;
        }
        var hash = Digest.CreateHash(Digest.Sha256);
        long length = 0;
        await using (var file = new FileStream(DataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BlobStore.BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            var buffer = new byte[BlobStore.BufferSize];
            int read;
            while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }
        }
        Hash = hash;
        HashedLength = length;
    }

    public void Hashed(ReadOnlySpan<byte> bytes)
    {
        Hash!.AppendData(bytes);
        HashedLength += bytes.Length;
    }

    /// <summary>Forgets the running hash, after a write that may have hashed bytes the file did not keep.</summary>
    public void ForgetHash()
    {
        Hash?.Dispose();
        Hash = null;
        HashedLength = 0;
    }
}
