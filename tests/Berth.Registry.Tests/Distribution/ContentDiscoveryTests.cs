using System.Net;
using System.Text.Json;
using Berth.Registry.Content;

namespace Berth.Registry.Tests.Distribution;

/// <summary>The OCI conformance "content discovery" scenarios: tag listing with pagination, and the referrers API.</summary>
public sealed class ContentDiscoveryTests : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync("app");

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    private async Task<(List<string> Tags, string? Link)> ListAsync(string query)
    {
        using var response = await _registry.Client.GetAsync($"/v2/app/tags/list{query}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("app", body.GetProperty("name").GetString());
        var link = response.Headers.TryGetValues("Link", out var values) ? values.Single() : null;
        return (body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList(), link);
    }

    [Fact]
    public async Task Tags_AreListedInLexicalOrder_AndPagedWithLinks()
    {
        var (manifest, _) = await _registry.PushImageAsync("app", "b");
        foreach (var tag in new[] { "a", "c", "B", "d1" })
        {
            await _registry.PushManifestAsync("app", tag, manifest, ManifestMediaTypes.OciManifest);
        }
        Assert.Equal(["B", "a", "b", "c", "d1"], (await ListAsync("")).Tags);

        var (first, link) = await ListAsync("?n=2");
        Assert.Equal(["B", "a"], first);
        Assert.Equal("</v2/app/tags/list?n=2&last=a>; rel=\"next\"", link);
        var (second, next) = await ListAsync("?n=2&last=a");
        Assert.Equal(["b", "c"], second);
        Assert.NotNull(next);
        var (third, end) = await ListAsync("?n=2&last=c");
        Assert.Equal(["d1"], third);
        Assert.Null(end);
        Assert.Empty((await ListAsync("?n=0")).Tags);
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync("/v2/app/tags/list?n=x", Ct), HttpStatusCode.BadRequest, "PAGINATION_NUMBER_INVALID");
    }

    [Fact]
    public async Task Referrers_ListManifestsWhoseSubjectIsTheDigest_FilteredByArtifactType()
    {
        var (_, subject) = await _registry.PushImageAsync("app", "v1");
        var (_, signature) = await _registry.PushImageAsync("app", "sig", subject.ToString(), "application/vnd.example.signature");
        var (_, sbom) = await _registry.PushImageAsync("app", "sbom", subject.ToString(), "application/spdx+json");

        using var all = await _registry.Client.GetAsync($"/v2/app/referrers/{subject}", Ct);
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(ManifestMediaTypes.OciIndex, all.Content.Headers.ContentType!.MediaType);
        var index = JsonDocument.Parse(await all.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(2, index.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(
            new[] { signature.ToString(), sbom.ToString() }.Order(StringComparer.Ordinal),
            index.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("digest").GetString()!).Order(StringComparer.Ordinal));

        using var filtered = await _registry.Client.GetAsync($"/v2/app/referrers/{subject}?artifactType=application/spdx%2Bjson", Ct);
        Assert.Equal("artifactType", DistributionAssert.Header(filtered, "OCI-Filters-Applied"));
        var only = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("manifests").EnumerateArray().Single();
        Assert.Equal(sbom.ToString(), only.GetProperty("digest").GetString());
        Assert.Equal("application/spdx+json", only.GetProperty("artifactType").GetString());

        using var none = await _registry.Client.GetAsync($"/v2/app/referrers/{signature}", Ct);
        Assert.Empty(JsonDocument.Parse(await none.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("manifests").EnumerateArray());
    }

    [Fact]
    public async Task PushingAManifestWithASubject_AnswersOciSubject()
    {
        var subject = "sha256:" + new string('c', 64);
        var config = await _registry.PushBlobAsync("app", "{}"u8.ToArray());
        var layer = await _registry.PushBlobAsync("app", "l"u8.ToArray());
        using var content = new ByteArrayContent(RegistryHost.ImageManifest(config, 2, layer, 1, subject));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(ManifestMediaTypes.OciManifest);
        using var response = await _registry.Client.PutAsync("/v2/app/manifests/sig", content, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(subject, DistributionAssert.Header(response, "OCI-Subject"));
    }
}
