using System.Security.Cryptography;
using Berth.Registry.Storage;

namespace Berth.Registry.Tests.Storage;

public sealed class BlobStoreTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly BlobStore _store;

    public BlobStoreTests()
    {
        _store = new BlobStore(_root.Path, TimeProvider.System);
    }

    public void Dispose() => _root.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    private async Task<BlobInfo> PushAsync(byte[] content, string algorithm = Digest.Sha256)
    {
        var id = _store.StartUpload();
        return await _store.CompleteAsync(id, Digest.Compute(content, algorithm), new MemoryStream(content), offset: null, Token);
    }

    private async Task<byte[]> ReadAsync(Digest digest)
    {
        await using var blob = _store.OpenRead(digest) ?? throw new InvalidOperationException($"{digest} is not stored");
        var copy = new MemoryStream();
        await blob.CopyToAsync(copy, Token);
        return copy.ToArray();
    }

    private int StoredFiles() => Directory.GetFiles(Path.Combine(_root.Path, "blobs"), "*", SearchOption.AllDirectories).Length;

    private int Uploads() => Directory.GetDirectories(Path.Combine(_root.Path, "uploads")).Length;

    [Fact]
    public async Task AMonolithicUploadBecomesABlobOfThatDigest()
    {
        var content = RandomBytes(1_000_000);
        var blob = await PushAsync(content);

        Assert.Equal(content.Length, blob.Size);
        Assert.Equal(blob, _store.Stat(blob.Digest));
        Assert.Equal(content, await ReadAsync(blob.Digest));
        Assert.Equal(0, Uploads());
    }

    [Fact]
    public async Task ChunksAppendInOrderAndAChunkAtTheWrongOffsetIsRefusedWithTheUploadsSize()
    {
        var content = RandomBytes(300_000);
        var id = _store.StartUpload();
        Assert.Equal(100_000, await _store.AppendAsync(id, new MemoryStream(content, 0, 100_000), offset: 0, Token));

        var outOfOrder = await Assert.ThrowsAsync<BlobStoreException>(() =>
            _store.AppendAsync(id, new MemoryStream(content, 200_000, 100_000), offset: 200_000, Token));
        Assert.Equal(BlobStoreError.RangeInvalid, outOfOrder.Error);
        Assert.Equal(100_000, outOfOrder.UploadSize);

        Assert.Equal(200_000, await _store.AppendAsync(id, new MemoryStream(content, 100_000, 100_000), offset: 100_000, Token));
        Assert.Equal(200_000, _store.UploadSize(id));
        var blob = await _store.CompleteAsync(id, Digest.Compute(content), new MemoryStream(content, 200_000, 100_000), offset: 200_000, Token);
        Assert.Equal(content, await ReadAsync(blob.Digest));
    }

    [Fact]
    public async Task AWrongDigestPublishesNothingAndEndsTheUpload()
    {
        var content = RandomBytes(10_000);
        var claimed = Digest.Compute(RandomBytes(10));
        var id = _store.StartUpload();

        var refused = await Assert.ThrowsAsync<BlobStoreException>(() => _store.CompleteAsync(id, claimed, new MemoryStream(content), null, Token));

        Assert.Equal(BlobStoreError.DigestMismatch, refused.Error);
        Assert.Contains(Digest.Compute(content).ToString(), refused.Message, StringComparison.Ordinal);
        Assert.Null(_store.Stat(claimed));
        Assert.Null(_store.Stat(Digest.Compute(content)));
        Assert.Null(_store.UploadSize(id));
        Assert.Equal(0, StoredFiles());
        Assert.Equal(0, Uploads());
    }

    [Fact]
    public async Task TheSameContentPushedTwiceIsStoredOnce()
    {
        var content = RandomBytes(50_000);
        var first = await PushAsync(content);
        var second = await PushAsync(content);

        Assert.Equal(first, second);
        Assert.Equal(1, StoredFiles());
        Assert.Equal(0, Uploads());
    }

    [Fact]
    public async Task ConcurrentPushesOfTheSameContentAllSucceedAndStoreOneFile()
    {
        var content = RandomBytes(200_000);
        var blobs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => PushAsync(content), Token)));

        Assert.All(blobs, blob => Assert.Equal(Digest.Compute(content), blob.Digest));
        Assert.Equal(1, StoredFiles());
        Assert.Equal(content, await ReadAsync(blobs[0].Digest));
    }

    [Fact]
    public async Task Sha512BlobsAreVerifiedAndStoredBesideSha256Ones()
    {
        var content = RandomBytes(70_000);
        var blob = await PushAsync(content, Digest.Sha512);

        Assert.Equal(Digest.Sha512, blob.Digest.Algorithm);
        Assert.Equal(content, await ReadAsync(blob.Digest));
        Assert.Null(_store.Stat(Digest.Compute(content)));
    }

    [Fact]
    public async Task AnUploadContinuesAfterARestart()
    {
        var content = RandomBytes(120_000);
        var id = _store.StartUpload();
        await _store.AppendAsync(id, new MemoryStream(content, 0, 50_000), 0, Token);

        var restarted = new BlobStore(_root.Path, TimeProvider.System);
        Assert.Equal(50_000, restarted.UploadSize(id));
        var blob = await restarted.CompleteAsync(id, Digest.Compute(content), new MemoryStream(content, 50_000, 70_000), 50_000, Token);

        Assert.Equal(content.Length, blob.Size);
    }

    [Fact]
    public async Task AChunkThatFailsHalfWayLeavesTheUploadAsItWas()
    {
        var content = RandomBytes(100_000);
        var id = _store.StartUpload();
        await _store.AppendAsync(id, new MemoryStream(content, 0, 40_000), 0, Token);

        await Assert.ThrowsAsync<IOException>(() => _store.AppendAsync(id, new BreakingStream(new MemoryStream(content, 40_000, 60_000), 30_000), 40_000, Token));
        Assert.Equal(40_000, _store.UploadSize(id));

        // the client sends the chunk again, and the running hash still matches the bytes kept
        await _store.AppendAsync(id, new MemoryStream(content, 40_000, 60_000), 40_000, Token);
        var blob = await _store.CompleteAsync(id, Digest.Compute(content), null, null, Token);
        Assert.Equal(content, await ReadAsync(blob.Digest));
    }

    [Fact]
    public async Task UnknownCancelledAndForgedUploadIdsAreUnknown()
    {
        var id = _store.StartUpload();
        await _store.CancelUploadAsync(id, Token);

        foreach (var unknown in new[] { id, Guid.NewGuid().ToString("N"), "../blobs", "" })
        {
            var refused = await Assert.ThrowsAsync<BlobStoreException>(() => _store.AppendAsync(unknown, new MemoryStream([1]), null, Token));
            Assert.Equal(BlobStoreError.UploadUnknown, refused.Error);
            Assert.Null(_store.UploadSize(unknown));
        }
        Assert.Equal(0, Uploads());
    }

    [Fact]
    public async Task AnUploadBeingWrittenRefusesASecondWriter()
    {
        var id = _store.StartUpload();
        var gate = new GatedStream();
        var first = _store.AppendAsync(id, gate, 0, Token);
        await gate.Reading.WaitAsync(Token);

        var second = await Assert.ThrowsAsync<BlobStoreException>(() => _store.AppendAsync(id, new MemoryStream([1]), null, Token));
        Assert.Equal(BlobStoreError.UploadBusy, second.Error);

        gate.Finish();
        Assert.Equal(1, await first);
    }

    [Fact]
    public async Task AbandonedUploadsAreRemovedAndRecentOnesKept()
    {
        var abandoned = _store.StartUpload();
        await _store.AppendAsync(abandoned, new MemoryStream(RandomBytes(1000)), 0, Token);
        var recent = _store.StartUpload();
        File.SetLastWriteTimeUtc(Path.Combine(_root.Path, "uploads", abandoned, "data"), DateTime.UtcNow.AddDays(-2));

        Assert.Equal(1, _store.RemoveAbandonedUploads(DateTimeOffset.UtcNow.AddDays(-1)));

        Assert.Null(_store.UploadSize(abandoned));
        Assert.Equal(0, _store.UploadSize(recent));
    }

    [Fact]
    public async Task ASweepDeletesOnlyUnreferencedBlobsLastTouchedBeforeItsMark()
    {
        var kept = await PushAsync(RandomBytes(100));
        var unreferenced = await PushAsync(RandomBytes(100));
        var touchedSince = await PushAsync(RandomBytes(100));
        foreach (var blob in new[] { kept, unreferenced, touchedSince })
        {
            File.SetLastWriteTimeUtc(BlobFile(blob.Digest), DateTime.UtcNow.AddHours(-1));
        }
        var markedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        Assert.True(_store.Touch(touchedSince.Digest)); // referenced again while the mark ran

        Assert.Equal(1, _store.Sweep(digest => digest == kept.Digest, markedAt));

        Assert.NotNull(_store.Stat(kept.Digest));
        Assert.Null(_store.Stat(unreferenced.Digest));
        Assert.Null(_store.OpenRead(unreferenced.Digest));
        Assert.NotNull(_store.Stat(touchedSince.Digest));
        Assert.False(_store.Touch(unreferenced.Digest));
    }

    private string BlobFile(Digest digest) => Path.Combine(_root.Path, "blobs", digest.Algorithm, digest.Encoded[..2], digest.Encoded);

    /// <summary>Gives <paramref name="limit"/> bytes of its inner stream, then fails as a dropped connection does.</summary>
    private sealed class BreakingStream(Stream inner, int limit) : Stream
    {
        private int _given;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= limit)
            {
                throw new IOException("the client went away");
            }
            var read = inner.Read(buffer, offset, Math.Min(count, limit - _given));
            _given += read;
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A request body whose one byte arrives only when the test says so.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _done;

        public SemaphoreSlim Reading { get; } = new(0);

        public void Finish() => _finish.SetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_done)
            {
                return 0;
            }
            Reading.Release();
            await _finish.Task.WaitAsync(cancellationToken);
            _done = true;
            buffer.Span[0] = 7;
            return 1;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
