using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Berth.Bench.Pods;

/// <summary>
/// Pods created through the Kubernetes API and timed from the create request until a watch opened beforehand reports
/// them Running: scheduling, the agent's sandbox and container, and the status written back, as a user waits for them.
/// </summary>
internal sealed class PodStarts : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task _watch = Task.CompletedTask;

    private PodStarts(HttpClient http) => _http = http;

    public static async Task<PodStarts> OpenAsync(ServerProcess server)
    {
        var starts = new PodStarts(server.CreateClient());
        var list = await starts._http.GetFromJsonAsync<JsonObject>("api/v1/namespaces/default/pods");
        var version = (string)list!["metadata"]!["resourceVersion"]!;
        var response = await starts._http.GetAsync($"api/v1/namespaces/default/pods?watch=true&resourceVersion={version}",
            HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        starts._watch = starts.ReadWatchAsync(await response.Content.ReadAsStreamAsync());
        return starts;
    }

    /// <summary>Creates the pods all at once and returns each one's time to Running, in milliseconds.</summary>
    public async Task<double[]> StartAsync(string image, IReadOnlyList<string> names) =>
        await Task.WhenAll(names.Select(async name =>
        {
            var running = _running.GetOrAdd(name, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
            var start = Stopwatch.GetTimestamp();
            using var created = await _http.PostAsJsonAsync("api/v1/namespaces/default/pods", Pod(name, image));
            created.EnsureSuccessStatusCode();
            var end = await running.Task.WaitAsync(TimeSpan.FromMinutes(2));
            return Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
        }));

    /// <summary>Deletes the pods, and returns once the runtime holds none of their containers.</summary>
    public async Task DeleteAsync(IEnumerable<string> names, PodmanCli podman, string nodeName)
    {
        foreach (var name in names)
        {
            using var deleted = await _http.DeleteAsync($"api/v1/namespaces/default/pods/{name}?gracePeriodSeconds=0");
            deleted.EnsureSuccessStatusCode();
            _running.TryRemove(name, out _);
        }
        for (var round = 0; await podman.RunAsync("ps", "-a", "-q", "--filter", "label=io.berth.node=" + nodeName) != ""; round++)
        {
            if (round == 600)
            {
                throw new TimeoutException("the agent did not remove the deleted pods' containers within a minute");
            }
            await Task.Delay(100);
        }
    }

    private static JsonObject Pod(string name, string image) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["terminationGracePeriodSeconds"] = 0,
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "sleeper",
                ["image"] = image,
                ["imagePullPolicy"] = "Never",
                ["command"] = new JsonArray("sleep", "3600"),
            }),
        },
    };

    private async Task ReadWatchAsync(Stream events)
    {
        using var reader = new StreamReader(events);
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var pod = JsonNode.Parse(line)!["object"]!;
            if ((string?)pod["status"]?["phase"] == "Running")
            {
                var now = Stopwatch.GetTimestamp();
                _running.GetOrAdd((string)pod["metadata"]!["name"]!, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously))
                    .TrySetResult(now);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _watch;
        }
        catch (OperationCanceledException)
        {
            // the watch ends with the benchmark
        }
        _http.Dispose();
        _stop.Dispose();
    }
}
