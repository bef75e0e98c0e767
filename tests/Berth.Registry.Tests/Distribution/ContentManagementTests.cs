using System.Net;
using Berth.Registry.Content;

namespace Berth.Registry.Tests.Distribution;

/// <summary>The OCI conformance "content management" scenarios: deleting tags, manifests and blobs.</summary>
public sealed class ContentManagementTests : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => _registry.Client;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync("app");

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task DeletingATag_LeavesTheManifestByDigest()
    {
        var (_, digest) = await _registry.PushImageAsync("app", "v1");
        using var delete = await Client.DeleteAsync("/v2/app/manifests/v1", Ct);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await DistributionAssert.ErrorAsync(await Client.GetAsync("/v2/app/manifests/v1", Ct), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var byDigest = await Client.GetAsync($"/v2/app/manifests/{digest}", Ct);
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task DeletingAManifestByDigest_RemovesItsTags()
    {
        var (manifest, digest) = await _registry.PushImageAsync("app", "v1");
        await _registry.PushManifestAsync("app", "stable", manifest, ManifestMediaTypes.OciManifest);
        using var delete = await Client.DeleteAsync($"/v2/app/manifests/{digest}", Ct);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await DistributionAssert.ErrorAsync(await Client.GetAsync($"/v2/app/manifests/{digest}", Ct), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        await DistributionAssert.ErrorAsync(await Client.GetAsync("/v2/app/manifests/stable", Ct), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        using var tags = await Client.GetAsync("/v2/app/tags/list", Ct);
        Assert.Contains("\"tags\":[]", await tags.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        await DistributionAssert.ErrorAsync(await Client.DeleteAsync($"/v2/app/manifests/{digest}", Ct), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Fact]
    public async Task DeletingABlob_RemovesItFromTheRepository()
    {
        var digest = await _registry.PushBlobAsync("app", "to delete"u8.ToArray());
        using var delete = await Client.DeleteAsync($"/v2/app/blobs/{digest}", Ct);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await DistributionAssert.ErrorAsync(await Client.GetAsync($"/v2/app/blobs/{digest}", Ct), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        await DistributionAssert.ErrorAsync(await Client.DeleteAsync($"/v2/app/blobs/{digest}", Ct), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }
}
