using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet.Models;

namespace Berth.Agent.Runtime;

/// <summary>
/// Podman's own API, for what its Docker-compatible API cannot do. Pulls (<c>/libpod/images/pull</c>) reach a registry
/// over plain HTTP: Docker treats registries on loopback as insecure by default; Podman's compatible endpoint has no
/// such default and takes no <c>tlsVerify</c>, so loopback images are pulled here with <c>tlsVerify=false</c>, which
/// keeps Docker's rule on either engine. Networks (<c>/libpod/networks/create</c>) are made without Podman's own DNS
/// server, which the compatible endpoint starts on every network it makes: pods get their DNS from the cluster.
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

    /// <summary>Makes a bridge network with its subnet and gateway, no DNS server, and Berth's label; false when one of the name exists.</summary>
    public async Task<bool> CreateNetworkAsync(PodNetworkSpec network, string label, CancellationToken cancellationToken)
    {
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = network.Name,
            ["driver"] = "bridge",
            ["network_interface"] = network.Bridge,
            ["subnets"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["subnet"] = network.Subnet, ["gateway"] = network.Gateway }),
            ["dns_enabled"] = false,
            ["labels"] = new System.Text.Json.Nodes.JsonObject { [label] = "true" },
        };
        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("/v4.0.0/libpod/networks/create", content, cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return false;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new RuntimeException($"the engine could not make network {network.Name} ({network.Subnet}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        return true;
    }

    /// <summary>The host interface of a network's bridge; null when there is no such network.</summary>
    public async Task<string?> NetworkInterfaceAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/v4.0.0/libpod/networks/{Uri.EscapeDataString(name)}/json", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.TryGetProperty("network_interface", out var bridge) ? bridge.GetString() : null;
    }

    /// <summary>
    /// Removes a network unless a container, running or not, is attached: <c>force=false</c>, as Podman's compatible
    /// endpoint would remove those containers with it. False when it is in use or gone.
    /// </summary>
    public async Task<bool> RemoveNetworkAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync($"/v4.0.0/libpod/networks/{Uri.EscapeDataString(name)}?force=false", cancellationToken);
        return response.IsSuccessStatusCode;
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
