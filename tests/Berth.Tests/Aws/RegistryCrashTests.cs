using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Tests.Aws;

/// <summary>The registry through a kill -9: what was acknowledged is there after it, what was not is never visible.</summary>
public sealed class RegistryCrashTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private static HttpClient Client(Uri address, string password)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password)));
        return client;
    }

    private static async Task PushBlobAsync(HttpClient client, byte[] content)
    {
        using var response = await client.PostAsync($"/v2/app/blobs/uploads/?digest={Digest(content)}", new ByteArrayContent(content), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task AnAcknowledgedPushSurvivesKill9_AndAnUnfinishedUploadIsNeverABlob()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        var aws = new AwsCli(address, _data.Path);
        Assert.Equal(0, (await aws.RunAsync("ecr", "create-repository", "--repository-name", "app")).ExitCode);
        var password = (await aws.RunAsync("ecr", "get-login-password")).Output.Trim();
        var config = "{}"u8.ToArray();
        var layer = RandomNumberGenerator.GetBytes(300_000);
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Digest(config)}}","size":2},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{Digest(layer)}}","size":{{layer.Length}}}]}
            """);
        var unfinished = RandomNumberGenerator.GetBytes(4_000_000);
        string location;
        using (var client = Client(address, password))
        {
            await PushBlobAsync(client, config);
            await PushBlobAsync(client, layer);
            using var content = new ByteArrayContent(manifest);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
            using (var put = await client.PutAsync("/v2/app/manifests/v1", content, Ct))
            {
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            // an upload the server is in the middle of receiving when it is killed
            using var started = await client.PostAsync("/v2/app/blobs/uploads/", null, Ct);
            location = started.Headers.Location!.OriginalString;
            var body = new HalfSentContent(unfinished[..1_000_000]);
            using var abandon = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var patch = client.PatchAsync(location, body, abandon.Token);
            await body.HalfSent.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            var uploads = Path.Combine(_data.Path, "registry", "uploads");
            for (var i = 0; i < 300 && Directory.GetFiles(uploads, "data", SearchOption.AllDirectories).All(f => new FileInfo(f).Length == 0); i++)
            {
                await Task.Delay(20, Ct);
            }
            await server.KillAsync();
            // the client, stuck sending, gives up on its own request
            await abandon.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patch);
        }
        await server.DisposeAsync();

        var (restarted, newAddress) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = restarted;
        using var after = Client(newAddress, password);
        using (var pulled = await after.GetAsync("/v2/app/manifests/v1", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
            Assert.Equal(manifest, await pulled.Content.ReadAsByteArrayAsync(Ct));
        }
        Assert.Equal(layer, await after.GetByteArrayAsync($"/v2/app/blobs/{Digest(layer)}", Ct));

        // the unfinished upload is still an upload (its received bytes can be resumed), never a blob
        using (var status = await after.GetAsync(location, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        }
        using (var missing = await after.GetAsync($"/v2/app/blobs/{Digest(unfinished)}", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_data.Path, "registry", "blobs"), "*", SearchOption.AllDirectories).Length);
    }

    /// <summary>A request body that sends its first part and then never ends, as a client cut off mid-push.</summary>
    private sealed class HalfSentContent(byte[] firstPart) : HttpContent
    {
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HalfSent => _halfSent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(firstPart, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _halfSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
