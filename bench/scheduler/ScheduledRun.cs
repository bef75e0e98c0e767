using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Berth.Bench.Scheduler;

/// <summary>
/// Plain pods created by the clients and placed by the server's scheduler; a watch sees each one bound. A pod's
/// latency runs from issuing its create to the watch holding it with <c>spec.nodeName</c> set, and the rate is
/// the pods over the time from the first create to the last binding seen.
/// </summary>
internal static class ScheduledRun
{
    private const string Namespace = "scheduled";

    public static async Task<Measurement> RunAsync(ServerProcess server, Clients clients, int pods)
    {
        await clients.CreateNamespaceAsync(Namespace);
        var issued = new long[pods];
        var latencies = new double[pods];
        using var watcher = server.CreateClient();
        var list = await watcher.GetFromJsonAsync<JsonObject>($"api/v1/namespaces/{Namespace}/pods");
        using var response = Clients.Check(await watcher.GetAsync(
            $"api/v1/namespaces/{Namespace}/pods?watch=true&resourceVersion={list!["metadata"]!["resourceVersion"]}", HttpCompletionOption.ResponseHeadersRead));
        var watch = Task.Run(async () =>
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var bound = new bool[pods];
            for (var seen = 0; seen < pods;)
            {
                var line = await reader.ReadLineAsync() ?? throw new InvalidOperationException("watch ended early");
                var pod = JsonNode.Parse(line)!["object"]!;
                if (pod["spec"]?["nodeName"] is null)
                {
                    continue;
                }
                var index = int.Parse(pod["metadata"]!["name"]!.GetValue<string>()["pod-".Length..], CultureInfo.InvariantCulture);
                if (!bound[index])
                {
                    bound[index] = true;
                    latencies[index] = Stopwatch.GetElapsedTime(Volatile.Read(ref issued[index])).TotalMilliseconds;
                    seen++;
                }
            }
        });
        var elapsed = Stopwatch.StartNew();
        await Timed.ConcurrentAsync(pods, clients.Count, async i =>
        {
            Volatile.Write(ref issued[i], Stopwatch.GetTimestamp());
            Clients.Check(await clients.Next().PostAsJsonAsync($"api/v1/namespaces/{Namespace}/pods", PodDocuments.Pod($"pod-{i}", Namespace)));
        });
        await watch.WaitAsync(TimeSpan.FromMinutes(5));
        return new Measurement(pods, elapsed.Elapsed, latencies);
    }
}
