using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Berth.Registry.Content;
using Berth.Registry.Distribution;
using Berth.Registry.Storage;
using Berth.Store;
using Berth.Store.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Registry.Tests.Distribution;

/// <summary>
/// The registry on a real Kestrel host on a loopback port, over a real store, with an access of the test's own: the
/// user <c>AWS</c> with password <see cref="Password"/> reaches the repositories in <see cref="TestAccess.Repositories"/>.
/// </summary>
public sealed class RegistryHost : IAsyncDisposable
{
    public const string Password = "test-password";

    private readonly TempDirectory _data;
    private readonly WebApplication _app;

    private RegistryHost(TempDirectory data, WebApplication app, HttpClient client, TestAccess access)
    {
        _data = data;
        _app = app;
        Client = client;
        Access = access;
    }

    public TestAccess Access { get; }

    /// <summary>A client that sends the valid credentials.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public Uri Address => Client.BaseAddress!;

    public static async Task<RegistryHost> StartAsync(params string[] repositories)
    {
        var data = new TempDirectory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var access = new TestAccess(repositories);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IStore>(_ => SqliteStore.Open(new SqliteStoreOptions { Path = data.File("berth.db") }));
        builder.Services.AddSingleton<IRegistryAccess>(access);
        builder.Services.AddRegistry(data.File("registry"));
        var app = builder.Build();
        app.MapRegistry();
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"AWS:{Password}")));
        return new RegistryHost(data, app, client, access);
    }

    /// <summary>The registry's folder: <c>blobs/</c> and <c>uploads/</c>.</summary>
    public string RegistryPath => _data.File("registry");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(TestContext.Current.CancellationToken);
        await _app.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>Pushes <paramref name="content"/> to <paramref name="repository"/> in one POST and returns its digest.</summary>
    public async Task<Digest> PushBlobAsync(string repository, byte[] content)
    {
        var digest = Digest.Compute(content);
        using var response = await Client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={digest}", new ByteArrayContent(content), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return digest;
    }

    /// <summary>Pushes a one-layer image (its config and layer, then the manifest) and returns the manifest's bytes and digest.</summary>
    public async Task<(byte[] Manifest, Digest Digest)> PushImageAsync(string repository, string reference, string? subject = null, string? artifactType = null)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"n":"{{Guid.NewGuid()}}"}""");
        var layer = RandomNumberGenerator.GetBytes(1000);
        var configDigest = await PushBlobAsync(repository, config);
        var layerDigest = await PushBlobAsync(repository, layer);
        var manifest = ImageManifest(configDigest, config.Length, layerDigest, layer.Length, subject, artifactType);
        var digest = await PushManifestAsync(repository, reference, manifest, ManifestMediaTypes.OciManifest);
        return (manifest, digest);
    }

    public static byte[] ImageManifest(Digest config, long configSize, Digest layer, long layerSize, string? subject = null, string? artifactType = null)
    {
        var extra = (subject is null ? "" : $$""","subject":{"mediaType":"{{ManifestMediaTypes.OciManifest}}","digest":"{{subject}}","size":1}""")
            + (artifactType is null ? "" : $",\"artifactType\":\"{artifactType}\"");
        return Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"{{ManifestMediaTypes.OciManifest}}",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{config}}","size":{{configSize}}},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{{layer}}","size":{{layerSize}}}]{{extra}}}
            """);
    }

    public async Task<Digest> PushManifestAsync(string repository, string reference, byte[] manifest, string mediaType)
    {
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await Client.PutAsync($"/v2/{repository}/manifests/{reference}", content, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return Digest.Parse(response.Headers.GetValues("Docker-Content-Digest").Single());
    }

    /// <summary>The repositories the test's user reaches, and which of them it may only pull from or has immutable tags.</summary>
    public sealed class TestAccess(IEnumerable<string> repositories) : IRegistryAccess
    {
        public HashSet<string> Repositories { get; } = [.. repositories];

        public HashSet<string> PullOnly { get; } = [];

        public HashSet<string> Immutable { get; } = [];

        public Task<RegistryPrincipal?> AuthenticateAsync(string username, string password, CancellationToken cancellationToken) =>
            Task.FromResult(username == "AWS" && password == Password ? new RegistryPrincipal("111111111111", "us-east-1", "AKIDTEST", "arn:aws:iam::111111111111:root") : null);

        public Task<bool> RepositoryExistsAsync(string scope, string name, CancellationToken cancellationToken) =>
            Task.FromResult(scope == "111111111111/us-east-1" && Repositories.Contains(name));

        public Task<RegistryRepository?> FindRepositoryAsync(RegistryPrincipal principal, string name, RegistryAction action, CancellationToken cancellationToken)
        {
            if (!Repositories.Contains(name))
            {
                return Task.FromResult<RegistryRepository?>(null);
            }
            if (action != RegistryAction.Pull && PullOnly.Contains(name))
            {
                throw new RegistryAccessDeniedException($"not allowed to {action} in {name}");
            }
            return Task.FromResult<RegistryRepository?>(new RegistryRepository("111111111111/us-east-1", name, Immutable.Contains(name)));
        }
    }
}
