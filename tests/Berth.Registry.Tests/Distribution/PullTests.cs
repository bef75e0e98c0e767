using System.Net;
using System.Net.Http.Headers;
using Berth.Registry.Content;

namespace Berth.Registry.Tests.Distribution;

/// <summary>The OCI conformance "pull" scenarios: manifests by tag and digest, blobs whole and by range, and what is unknown.</summary>
public sealed class PullTests : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync("app", "team/app");

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Theory]
    [InlineData("app")]
    [InlineData("team/app")]
    public async Task Manifest_ByTagAndByDigest_ReturnsThePushedBytes(string repository)
    {
        var (manifest, digest) = await _registry.PushImageAsync(repository, "v1");
        foreach (var reference in new[] { "v1", digest.ToString() })
        {
            using var response = await _registry.Client.GetAsync($"/v2/{repository}/manifests/{reference}", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync(Ct));
            Assert.Equal(ManifestMediaTypes.OciManifest, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(digest.ToString(), DistributionAssert.Header(response, "Docker-Content-Digest"));

            using var head = await _registry.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{reference}"), Ct);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(manifest.Length, head.Content.Headers.ContentLength);
            Assert.Equal(digest.ToString(), DistributionAssert.Header(head, "Docker-Content-Digest"));
        }
    }

    [Fact]
    public async Task Blob_WholeAndByRange()
    {
        var content = "0123456789abcdef"u8.ToArray();
        var digest = await _registry.PushBlobAsync("app", content);

        using var whole = await _registry.Client.GetAsync($"/v2/app/blobs/{digest}", Ct);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(digest.ToString(), DistributionAssert.Header(whole, "Docker-Content-Digest"));

        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        ranged.Headers.Range = new RangeHeaderValue(4, 9);
        using var part = await _registry.Client.SendAsync(ranged, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal("456789"u8.ToArray(), await part.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("bytes 4-9/16", part.Content.Headers.ContentRange!.ToString());

        using var head = await _registry.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(16, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task UnknownContent_GetsTheSpecsErrors()
    {
        var missing = "sha256:" + new string('a', 64);
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync($"/v2/app/manifests/nope", Ct), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync($"/v2/app/manifests/{missing}", Ct), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync($"/v2/app/blobs/{missing}", Ct), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync($"/v2/elsewhere/manifests/v1", Ct), HttpStatusCode.NotFound, "NAME_UNKNOWN");
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync($"/v2/app/blobs/sha256:short", Ct), HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }

    [Fact]
    public async Task ABlobPushedToOneRepository_IsUnknownInAnother()
    {
        var digest = await _registry.PushBlobAsync("app", "only in app"u8.ToArray());
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync($"/v2/team/app/blobs/{digest}", Ct), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
    }
}
