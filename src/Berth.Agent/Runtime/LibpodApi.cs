using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet.Models;

namespace Berth.Agent.Runtime;

/// <summary>
/// Podman's own API, for what its Docker-compatible API cannot do. Pulls (<c>/libpod/images/pull</c>) reach a registry
/// over plain HTTP: Docker treats registries on loopback as insecure by default; Podman's compatible endpoint has no
/// such default and takes no <c>tlsVerify</c>, so loopback images are pulled here with <c>tlsVerify=false</c>, which
/// keeps Docker's rule on either engine. Its container list answers where the compatible one fails on a container
/// whose removal was cut short.
/// </summary>
internal sealed class LibpodApi : IDisposable
{
    private readonly HttpClient _http;

    public LibpodApi(Uri endpoint)
    {
        if (endpoint.Scheme == "unix")
        {
            var socket = endpoint.AbsolutePath;
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                        return new NetworkStream(connection, ownsSocket: true);
                    }
                    catch
                    {
                        connection.Dispose();
                        throw;
                    }
                },
            };
            _http = new HttpClient(handler) { BaseAddress = new Uri("http://podman"), Timeout = Timeout.InfiniteTimeSpan };
        }
        else
        {
            _http = new HttpClient { BaseAddress = new UriBuilder(endpoint) { Scheme = "http" }.Uri, Timeout = Timeout.InfiniteTimeSpan };
        }
    }

    /// <summary>Pulls <paramref name="reference"/> with <paramref name="auth"/>; returns the engine's error, or null when it pulled.</summary>
    public async Task<string?> PullAsync(string reference, AuthConfig auth, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"/v4.0.0/libpod/images/pull?reference={Uri.EscapeDataString(reference)}&tlsVerify=false&quiet=true");
        request.Headers.Add("X-Registry-Auth", AuthHeader(auth));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? error = response.IsSuccessStatusCode ? null : $"the engine answered {(int)response.StatusCode}";
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var message = JsonDocument.Parse(line);
            if (message.RootElement.TryGetProperty("error", out var failure) && failure.GetString() is { Length: > 0 } text)
            {
                error = text;
            }
        }
        return error;
    }

    /// <summary>
    /// The containers with all of <paramref name="labels"/> whose removal was cut short (the service stopped while it
    /// removed them): Podman keeps them as <c>removing</c> with their storage gone, and its Docker-compatible list and
    /// inspect fail on them; its own list still answers.
    /// </summary>
    public async Task<IReadOnlyList<string>> HalfRemovedContainersAsync(IEnumerable<string> labels, CancellationToken cancellationToken)
    {
        var filters = new System.Text.Json.Nodes.JsonObject { ["label"] = new System.Text.Json.Nodes.JsonArray([.. labels.Select(l => (System.Text.Json.Nodes.JsonNode)l)]) };
        using var response = await _http.GetAsync($"/v4.0.0/libpod/containers/json?all=true&filters={Uri.EscapeDataString(filters.ToJsonString())}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new RuntimeException($"the engine could not list containers: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return [.. json.RootElement.EnumerateArray()
            .Where(c => c.TryGetProperty("State", out var state) && state.GetString() == "removing")
            .Select(c => c.GetProperty("Id").GetString()!)];
    }

    /// <summary>The credentials as the engine reads them: base64url of <c>{"username", "password", "serveraddress"}</c>.</summary>
    private static string AuthHeader(AuthConfig auth)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("username", auth.Username ?? "");
            json.WriteString("password", auth.Password ?? "");
            json.WriteString("serveraddress", auth.ServerAddress ?? "");
            json.WriteEndObject();
        }
        return Convert.ToBase64String(buffer.ToArray()).Replace('+', '-').Replace('/', '_');
    }

    public void Dispose() => _http.Dispose();
}
