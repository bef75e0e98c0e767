using System.Text;
using Berth.Registry.Content;
using Berth.Registry.Storage;
using Berth.Registry.Tests.Distribution;
using Berth.Store.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Registry.Tests.Content;

public sealed class GarbageCollectorTests : IAsyncDisposable
{
    private readonly TempDirectory _data = new();
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private readonly SqliteStore _store;
    private readonly BlobStore _blobs;
    private readonly RepositoryContent _content;
    private readonly GarbageCollector _collector;
    private readonly RegistryRepository _repository = new("111111111111/us-east-1", "app", false);

    public GarbageCollectorTests()
    {
        _store = SqliteStore.Open(new SqliteStoreOptions { Path = _data.File("berth.db") });
        _blobs = new BlobStore(_data.File("registry"), _time);
        _content = new RepositoryContent(_store, _blobs, _time);
        _collector = new GarbageCollector(_store, _blobs, new RegistryHost.TestAccess(["app"]), _time, NullLogger<GarbageCollector>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _data.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Digest> PushBlobAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var digest = Digest.Compute(bytes);
        await _content.CompleteUploadAsync(_repository, _blobs.StartUpload(_repository.KeyPrefix), digest, new MemoryStream(bytes), null, Ct);
        return digest;
    }

    [Fact]
    public async Task Collect_FreesUnreferencedBlobsPastTheGrace_AndKeepsWhatManifestsName()
    {
        var config = await PushBlobAsync("{}");
        var layer = await PushBlobAsync("layer");
        var orphan = await PushBlobAsync("never named");
        await _content.PutManifestAsync(_repository, "v1", RegistryHost.ImageManifest(config, 2, layer, 5), ManifestMediaTypes.OciManifest, Ct);
        var abandoned = _blobs.StartUpload(_repository.KeyPrefix);

        Assert.Equal((0, 0), await _collector.CollectAsync(Ct));

        _time.Advance(GarbageCollector.Grace + TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(Path.Combine(_data.File("registry"), "uploads", abandoned, "data"), (_time.GetUtcNow() - GarbageCollector.Grace - TimeSpan.FromMinutes(1)).UtcDateTime);
        Assert.Equal((1, 1), await _collector.CollectAsync(Ct));

        Assert.NotNull(await _content.FindBlobAsync(_repository, config, Ct));
        Assert.NotNull(await _content.FindBlobAsync(_repository, layer, Ct));
        Assert.Null(await _content.FindBlobAsync(_repository, orphan, Ct));
        Assert.Null(_blobs.Stat(orphan));
        Assert.Null(await _store.GetAsync(_repository.KeyPrefix + "_layers/" + orphan, cancellationToken: Ct));
        Assert.Null(_blobs.UploadSize(abandoned));
    }

    [Fact]
    public async Task Collect_FreesTheBlobsOfADeletedManifest()
    {
        var config = await PushBlobAsync("{}");
        var layer = await PushBlobAsync("layer");
        var manifest = await _content.PutManifestAsync(_repository, "v1", RegistryHost.ImageManifest(config, 2, layer, 5), ManifestMediaTypes.OciManifest, Ct);
        await _content.DeleteManifestAsync(_repository, Digest.Parse(manifest.Digest), Ct);

        _time.Advance(GarbageCollector.Grace + TimeSpan.FromMinutes(1));
        Assert.Equal((2, 0), await _collector.CollectAsync(Ct));
    }

    [Fact]
    public async Task ABlobNamedByAManifestPushedDuringTheGrace_Stays()
    {
        var config = await PushBlobAsync("{}");
        var layer = await PushBlobAsync("layer");
        _time.Advance(GarbageCollector.Grace + TimeSpan.FromMinutes(1));
        // named now: its touch is within the grace of any collection that starts from here on
        await _content.PutManifestAsync(_repository, "v1", RegistryHost.ImageManifest(config, 2, layer, 5), ManifestMediaTypes.OciManifest, Ct);
        await _content.DeleteTagAsync(_repository, "v1", Ct);
        Assert.Equal((0, 0), await _collector.CollectAsync(Ct));
    }

    [Fact]
    public async Task Collect_DeletesTheContentOfARepositoryThatNoLongerExists()
    {
        var gone = new RegistryRepository("111111111111/us-east-1", "team/gone", false);
        var config = await PushBlobAsync("{}");
        var layer = await PushBlobAsync("layer");
        await _content.LinkBlobAsync(gone, config, Ct);
        await _content.LinkBlobAsync(gone, layer, Ct);
        await _content.PutManifestAsync(gone, "v1", RegistryHost.ImageManifest(config, 2, layer, 5), ManifestMediaTypes.OciManifest, Ct);

        await _collector.CollectAsync(Ct);

        Assert.Empty((await _store.ListAsync(gone.KeyPrefix, cancellationToken: Ct)).Items);
        Assert.NotNull(await _content.FindBlobAsync(_repository, config, Ct));
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
