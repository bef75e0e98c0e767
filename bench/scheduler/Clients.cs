using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Berth.Bench.Scheduler;

/// <summary>Many API clients, each on its own connection, taken in turn.</summary>
internal sealed class Clients(ServerProcess server, int count) : IDisposable
{
    private readonly HttpClient[] _clients = [.. Enumerable.Range(0, count).Select(_ => server.CreateClient())];
    private int _next;

    public int Count => _clients.Length;

    /// <summary>
    /// Opens every client's connection, one after another, before anything is timed: a hundred TLS handshakes at
    /// once on a busy machine outlast the server's handshake timeout.
    /// </summary>
    public async Task ConnectAsync()
    {
        foreach (var client in _clients)
        {
            Check(await client.GetAsync("api"));
        }
    }

    public HttpClient Next() => _clients[(Interlocked.Increment(ref _next) & int.MaxValue) % _clients.Length];

    public async Task CreateNamespaceAsync(string name) =>
        Check(await _clients[0].PostAsJsonAsync("api/v1/namespaces", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name },
        }));

    public static HttpResponseMessage Check(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? response : throw new InvalidOperationException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}");

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
