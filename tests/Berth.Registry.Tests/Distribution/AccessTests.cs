using System.Net;
using System.Text;

namespace Berth.Registry.Tests.Distribution;

/// <summary>Who reaches what: credentials, repository names, access policies, methods.</summary>
public sealed class AccessTests : IAsyncLifetime
{
    private RegistryHost _registry = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _registry = await RegistryHost.StartAsync("app", "readonly");

    public ValueTask DisposeAsync() => _registry.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("Basic !!!")]
    [InlineData("Basic QVdTOndyb25n")] // AWS:wrong
    [InlineData("Bearer wrong")]
    public async Task WithoutValidCredentials_EveryPathIsUnauthorized(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = _registry.Address };
        foreach (var path in new[] { "/v2/", "/v2/app/tags/list", "/v2/app/manifests/v1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(
                ["Basic realm=\"Berth ECR\"", $"Bearer realm=\"{_registry.Address}v2/token\",service=\"berth-registry\""],
                response.Headers.WwwAuthenticate.Select(h => h.ToString()));
            await DistributionAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }

    [Fact]
    public async Task TheTokenFlow_GivesABearerTokenForTheBasicLogin()
    {
        using var answer = await _registry.Client.GetAsync("/v2/token?service=berth-registry&scope=repository:app:pull", Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var token = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("token").GetString();

        using var client = new HttpClient { BaseAddress = _registry.Address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var tags = await client.GetAsync("/v2/app/tags/list", Ct);
        Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = _registry.Address };
        await DistributionAssert.ErrorAsync(await anonymous.GetAsync("/v2/token", Ct), HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task VersionCheck_AnswersTheApiVersion()
    {
        using var response = await _registry.Client.GetAsync("/v2/", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", DistributionAssert.Header(response, "Docker-Distribution-API-Version"));
    }

    [Theory]
    [InlineData("/v2/App/manifests/v1")]
    [InlineData("/v2/app/_manifests/manifests/v1")]
    [InlineData("/v2/app//x/manifests/v1")]
    public async Task InvalidNames_AreRefused(string path)
    {
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync(path, Ct), HttpStatusCode.BadRequest, "NAME_INVALID");
    }

    [Fact]
    public async Task APathThatLeavesTheRepository_NeverReachesAnotherOne()
    {
        // dot segments are resolved before routing, so this is the readonly repository's path, not a way out of app's
        var digest = await _registry.PushBlobAsync("app", "x"u8.ToArray());
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync($"/v2/app/../readonly/blobs/{digest}", Ct), HttpStatusCode.NotFound, "BLOB_UNKNOWN");
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync("/v2/app/%2E%2E/manifests/v1", Ct), HttpStatusCode.NotFound, "NOT_FOUND");
        await DistributionAssert.ErrorAsync(await _registry.Client.GetAsync("/v2/nothing/here", Ct), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task ARepositoryThePolicyClosesToPushes_AnswersDenied()
    {
        _registry.Access.PullOnly.Add("readonly");
        using var response = await _registry.Client.PostAsync("/v2/readonly/blobs/uploads/", null, Ct);
        await DistributionAssert.ErrorAsync(response, HttpStatusCode.Forbidden, "DENIED");
        using var pull = await _registry.Client.GetAsync("/v2/readonly/tags/list", Ct);
        Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
    }

    [Fact]
    public async Task AMethodAPathDoesNotTake_Gets405()
    {
        using var response = await _registry.Client.PostAsync("/v2/app/tags/list", new ByteArrayContent(Encoding.UTF8.GetBytes("x")), Ct);
        Assert.Equal("GET", response.Content.Headers.Allow.Single());
        await DistributionAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, "UNSUPPORTED");
    }
}
