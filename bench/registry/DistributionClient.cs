using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Bench.Registry;

/// <summary>
/// A registry client doing what podman does on the wire: a blob push is POST, one streamed PATCH and the closing PUT
/// with the digest; an image push ends with its manifest; a pull is the manifest and then its blobs.
/// </summary>
internal sealed class DistributionClient(Uri registry, string? password) : IDisposable
{
    private readonly HttpClient _http = Create(registry, password);

    private static HttpClient Create(Uri registry, string? password)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = registry, Timeout = TimeSpan.FromMinutes(5) };
        if (password is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password)));
        }
        return http;
    }

    public static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    public async Task PushBlobAsync(string repository, byte[] content)
    {
        using var started = await _http.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Expect(started, 202);
        var location = started.Headers.Location!.OriginalString;
        using var patched = await _http.PatchAsync(location, new ByteArrayContent(content));
        Expect(patched, 202);
        var next = patched.Headers.Location!.OriginalString;
        var separator = next.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var put = await _http.PutAsync($"{next}{separator}digest={Digest(content)}", null);
        Expect(put, 201);
    }

    /// <summary>Pushes a config and <paramref name="layers"/> and the manifest naming them under <paramref name="tag"/>.</summary>
    public async Task PushImageAsync(string repository, string tag, IReadOnlyList<byte[]> layers)
    {
        var config = Encoding.UTF8.GetBytes($$"""{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"tag":"{{tag}}"}""");
        await PushBlobAsync(repository, config);
        foreach (var layer in layers)
        {
            await PushBlobAsync(repository, layer);
        }
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{Digest(config)}}","size":{{config.Length}}},
             "layers":[{{string.Join(",", layers.Select(l => $$"""{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{Digest(l)}}","size":{{l.Length}}}"""))}}]}
            """);
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json");
        using var put = await _http.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Expect(put, 201);
    }

    /// <summary>Pulls the image's manifest and every blob it names; returns the bytes received.</summary>
    public async Task<long> PullImageAsync(string repository, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.oci.image.manifest.v1+json"));
        using var response = await _http.SendAsync(request);
        Expect(response, 200);
        using var manifest = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var digests = manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)
            .Prepend(manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!);
        long bytes = 0;
        foreach (var digest in digests)
        {
            bytes += await PullBlobAsync(repository, digest);
        }
        return bytes;
    }

    public async Task<long> PullBlobAsync(string repository, string digest)
    {
        using var response = await _http.GetAsync($"/v2/{repository}/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead);
        Expect(response, 200);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }
        return total;
    }

    private static void Expect(HttpResponseMessage response, int status)
    {
        if ((int)response.StatusCode != status)
        {
            throw new InvalidOperationException($"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri} answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        }
    }

    public void Dispose() => _http.Dispose();
}
