using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Berth.Registry.Content;
using Berth.Registry.Storage;

namespace Berth.Registry.Tests.Distribution;

/// <summary>The OCI conformance "push" scenarios, and the refusals a push can meet.</summary>
public sealed class PushTests : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => _registry.Client;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync("app", "base", "mirror");

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    private async Task<string> StartUploadAsync(string repository = "app")
    {
        using var response = await Client.PostAsync($"/v2/{repository}/blobs/uploads/", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("0-0", DistributionAssert.Header(response, "Range"));
        return response.Headers.Location!.OriginalString;
    }

    private static HttpRequestMessage Chunk(string location, byte[] bytes, long start)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + bytes.Length - 1}");
        return request;
    }

    private async Task<byte[]> ReadBlobAsync(string repository, Digest digest)
    {
        using var response = await Client.GetAsync($"/v2/{repository}/blobs/{digest}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync(Ct);
    }

    [Fact]
    public async Task PostThenPut_StoresTheBlob()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        var location = await StartUploadAsync();
        using var put = await Client.PutAsync($"{location}?digest={Digest.Compute(content)}", new ByteArrayContent(content), Ct);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"/v2/app/blobs/{Digest.Compute(content)}", put.Headers.Location!.OriginalString);
        Assert.Equal(content, await ReadBlobAsync("app", Digest.Compute(content)));
    }

    [Fact]
    public async Task Sha512Digests_AreVerifiedAndServed()
    {
        var content = RandomNumberGenerator.GetBytes(3000);
        var digest = Digest.Compute(content, Digest.Sha512);
        using var pushed = await Client.PostAsync($"/v2/app/blobs/uploads/?digest={digest}", new ByteArrayContent(content), Ct);
        Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        Assert.Equal(content, await ReadBlobAsync("app", digest));
        var wrong = Digest.Compute("other"u8, Digest.Sha512);
        await DistributionAssert.ErrorAsync(await Client.PostAsync($"/v2/app/blobs/uploads/?digest={wrong}", new ByteArrayContent(content), Ct), HttpStatusCode.BadRequest, "DIGEST_INVALID");
    }

    [Fact]
    public async Task Chunks_InOrder_MakeTheBlob_AndOutOfOrder_Get416WithTheRangeHeld()
    {
        var content = RandomNumberGenerator.GetBytes(3000);
        var location = await StartUploadAsync();
        using (var first = await Client.SendAsync(Chunk(location, content[..1000], 0), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            Assert.Equal("0-999", DistributionAssert.Header(first, "Range"));
        }
        using (var skipped = await Client.SendAsync(Chunk(location, content[2000..], 2000), Ct))
        {
            Assert.Equal("0-999", DistributionAssert.Header(skipped, "Range"));
            await DistributionAssert.ErrorAsync(skipped, HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID");
        }
        using (var second = await Client.SendAsync(Chunk(location, content[1000..2000], 1000), Ct))
        {
            Assert.Equal("0-1999", DistributionAssert.Header(second, "Range"));
        }
        using (var status = await Client.GetAsync(location, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal("0-1999", DistributionAssert.Header(status, "Range"));
        }
        using var last = new HttpRequestMessage(HttpMethod.Put, $"{location}?digest={Digest.Compute(content)}") { Content = new ByteArrayContent(content[2000..]) };
        last.Content.Headers.TryAddWithoutValidation("Content-Range", "2000-2999");
        using var done = await Client.SendAsync(last, Ct);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(content, await ReadBlobAsync("app", Digest.Compute(content)));
    }

    [Fact]
    public async Task StreamedPatch_WithoutContentRange_Appends()
    {
        var content = RandomNumberGenerator.GetBytes(70_000);
        var location = await StartUploadAsync();
        using var patch = await Client.PatchAsync(location, new StreamContent(new MemoryStream(content)), Ct);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal("0-69999", DistributionAssert.Header(patch, "Range"));
        using var put = await Client.PutAsync($"{patch.Headers.Location!.OriginalString}?digest={Digest.Compute(content)}", null, Ct);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task WrongDigest_IsRefused_AndTheUploadIsGone()
    {
        var location = await StartUploadAsync();
        using var put = await Client.PutAsync($"{location}?digest={Digest.Compute("other"u8)}", new ByteArrayContent("content"u8.ToArray()), Ct);
        await DistributionAssert.ErrorAsync(put, HttpStatusCode.BadRequest, "DIGEST_INVALID");
        await DistributionAssert.ErrorAsync(await Client.GetAsync(location, Ct), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        await DistributionAssert.ErrorAsync(await Client.GetAsync($"/v2/app/blobs/{Digest.Compute("content"u8)}", Ct), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        Assert.Empty(Directory.GetDirectories(Path.Combine(_registry.RegistryPath, "uploads")));
    }

    [Fact]
    public async Task Cancel_RemovesTheUpload()
    {
        var location = await StartUploadAsync();
        using var delete = await Client.DeleteAsync(location, Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await DistributionAssert.ErrorAsync(await Client.GetAsync(location, Ct), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task AnUploadStartedInOneRepository_IsUnknownInAnother()
    {
        var location = await StartUploadAsync("app");
        var id = location[(location.LastIndexOf('/') + 1)..];
        await DistributionAssert.ErrorAsync(await Client.GetAsync($"/v2/base/blobs/uploads/{id}", Ct), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
        await DistributionAssert.ErrorAsync(await Client.GetAsync($"/v2/app/blobs/uploads/..%2F..%2Fblobs", Ct), HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN");
    }

    [Fact]
    public async Task Mount_LinksABlobTheCallerCanPull_AndOtherwiseStartsAnUpload()
    {
        var digest = await _registry.PushBlobAsync("base", "shared layer"u8.ToArray());
        using (var mounted = await Client.PostAsync($"/v2/mirror/blobs/uploads/?mount={digest}&from=base", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, mounted.StatusCode);
            Assert.Equal($"/v2/mirror/blobs/{digest}", mounted.Headers.Location!.OriginalString);
        }
        Assert.Equal("shared layer"u8.ToArray(), await ReadBlobAsync("mirror", digest));
        Assert.Single(Directory.GetFiles(Path.Combine(_registry.RegistryPath, "blobs"), "*", SearchOption.AllDirectories));

        using var unknownSource = await Client.PostAsync($"/v2/app/blobs/uploads/?mount={digest}&from=nowhere", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, unknownSource.StatusCode);
        using var notThere = await Client.PostAsync($"/v2/app/blobs/uploads/?mount={Digest.Compute("x"u8)}&from=base", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, notThere.StatusCode);
    }

    [Fact]
    public async Task Manifest_NamingAMissingBlob_IsRefused()
    {
        var config = await _registry.PushBlobAsync("app", "{}"u8.ToArray());
        var manifest = RegistryHost.ImageManifest(config, 2, Digest.Compute("never pushed"u8), 12);
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(ManifestMediaTypes.OciManifest);
        await DistributionAssert.ErrorAsync(await Client.PutAsync("/v2/app/manifests/v1", content, Ct), HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
        await DistributionAssert.ErrorAsync(await Client.GetAsync("/v2/app/manifests/v1", Ct), HttpStatusCode.NotFound, "MANIFEST_UNKNOWN");
    }

    [Theory]
    [InlineData("not json", ManifestMediaTypes.OciManifest, "MANIFEST_INVALID")]
    [InlineData("[]", ManifestMediaTypes.OciManifest, "MANIFEST_INVALID")]
    [InlineData("""{"schemaVersion":1,"name":"app","tag":"v1","fsLayers":[]}""", "application/vnd.docker.distribution.manifest.v1+prettyjws", "MANIFEST_INVALID")]
    [InlineData("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""", ManifestMediaTypes.OciManifest, "MANIFEST_INVALID")]
    [InlineData("""{"schemaVersion":2,"layers":[]}""", ManifestMediaTypes.OciManifest, "MANIFEST_INVALID")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:zz","size":1},"layers":[]}""", ManifestMediaTypes.OciManifest, "DIGEST_INVALID")]
    [InlineData("""{"schemaVersion":2,"config":{"mediaType":"a","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":-1},"layers":[]}""", ManifestMediaTypes.OciManifest, "MANIFEST_INVALID")]
    [InlineData("""{"schemaVersion":2,"config":{}}""", "text/plain", "MANIFEST_INVALID")]
    public async Task InvalidManifests_AreRefused(string manifest, string mediaType, string code)
    {
        using var content = new StringContent(manifest, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        await DistributionAssert.ErrorAsync(await Client.PutAsync("/v2/app/manifests/v1", content, Ct), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task ManifestByDigest_MustHaveThatDigest_AndTagsMustBeValid()
    {
        var (manifest, _) = await _registry.PushImageAsync("app", "v1");
        using var wrong = new ByteArrayContent(manifest);
        wrong.Headers.ContentType = new MediaTypeHeaderValue(ManifestMediaTypes.OciManifest);
        await DistributionAssert.ErrorAsync(await Client.PutAsync($"/v2/app/manifests/{Digest.Compute("x"u8)}", wrong, Ct), HttpStatusCode.BadRequest, "DIGEST_INVALID");
        using var badTag = new ByteArrayContent(manifest);
        badTag.Headers.ContentType = new MediaTypeHeaderValue(ManifestMediaTypes.OciManifest);
        await DistributionAssert.ErrorAsync(await Client.PutAsync("/v2/app/manifests/-bad", badTag, Ct), HttpStatusCode.BadRequest, "TAG_INVALID");
    }

    [Fact]
    public async Task OversizedManifest_Gets413()
    {
        using var content = new ByteArrayContent(new byte[RepositoryContent.MaxManifestSize + 1]);
        content.Headers.ContentType = new MediaTypeHeaderValue(ManifestMediaTypes.OciManifest);
        await DistributionAssert.ErrorAsync(await Client.PutAsync("/v2/app/manifests/v1", content, Ct), HttpStatusCode.RequestEntityTooLarge, "SIZE_INVALID");
    }

    [Fact]
    public async Task Index_NeedsItsManifestsInTheRepository()
    {
        var (child, childDigest) = await _registry.PushImageAsync("app", ChildTag);
        var index = Encoding.UTF8.GetBytes($$$"""
            {"schemaVersion":2,"mediaType":"{{{ManifestMediaTypes.OciIndex}}}","manifests":[
              {"mediaType":"{{{ManifestMediaTypes.OciManifest}}}","digest":"{{{childDigest}}}","size":{{{child.Length}}},"platform":{"architecture":"amd64","os":"linux"}}]}
            """);
        var digest = await _registry.PushManifestAsync("app", "multi", index, ManifestMediaTypes.OciIndex);
        Assert.Equal(Digest.Compute(index), digest);

        using var elsewhere = new ByteArrayContent(index);
        elsewhere.Headers.ContentType = new MediaTypeHeaderValue(ManifestMediaTypes.OciIndex);
        await DistributionAssert.ErrorAsync(await Client.PutAsync("/v2/base/manifests/multi", elsewhere, Ct), HttpStatusCode.BadRequest, "MANIFEST_BLOB_UNKNOWN");
    }

    private const string ChildTag = "amd64";

    [Fact]
    public async Task ImmutableRepository_RefusesToMoveATag_ButTakesTheSameManifestAgain()
    {
        _registry.Access.Immutable.Add("app");
        var (manifest, _) = await _registry.PushImageAsync("app", "v1");
        await _registry.PushManifestAsync("app", "v1", manifest, ManifestMediaTypes.OciManifest);

        var (other, _) = await _registry.PushImageAsync("app", "v2");
        using var content = new ByteArrayContent(other);
        content.Headers.ContentType = new MediaTypeHeaderValue(ManifestMediaTypes.OciManifest);
        await DistributionAssert.ErrorAsync(await Client.PutAsync("/v2/app/manifests/v1", content, Ct), HttpStatusCode.BadRequest, "TAG_INVALID");
        using var stillFirst = await Client.GetAsync("/v2/app/manifests/v1", Ct);
        Assert.Equal(manifest, await stillFirst.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task AMutableTag_MovesToTheNewManifest()
    {
        await _registry.PushImageAsync("app", "latest");
        var (second, digest) = await _registry.PushImageAsync("app", "latest");
        using var response = await Client.GetAsync("/v2/app/manifests/latest", Ct);
        Assert.Equal(second, await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(digest.ToString(), DistributionAssert.Header(response, "Docker-Content-Digest"));
    }
}
