using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Berth.Bench.Kube;

/// <summary>Pods through the Kubernetes API over HTTPS, each client on its own connection.</summary>
internal static class ApiRun
{
    private const string Pods = "api/v1/namespaces/default/pods";

    /// <summary>
    /// A pod no scheduler serves: the figures are of the API, not of the scheduler and its events reacting to
    /// thousands of pods that fit on no node (there are none here).
    /// </summary>
    private static JsonObject UnscheduledPod(string name, string ns = "default")
    {
        var pod = PodDocuments.Pod(name, ns);
        pod["spec"]!["schedulerName"] = "bench-unscheduled";
        return pod;
    }

    public static async Task<RunResults> RunAsync(ServerProcess server, BenchSettings settings)
    {
        var clients = Enumerable.Range(0, settings.Clients).Select(_ => server.CreateClient()).ToArray();
        try
        {
            var next = 0;
            HttpClient Client() => clients[Interlocked.Increment(ref next) % clients.Length];
            await WarmUpAsync(clients, settings);
            var (create, createCpu) = await CpuCosted(server, () => Timed.ConcurrentAsync(settings.Pods, settings.Clients, async i =>
                Check(await Client().PostAsJsonAsync(Pods, UnscheduledPod($"pod-{i}")))));
            var random = new Random(1);
            var (get, getCpu) = await CpuCosted(server, () => Timed.ConcurrentAsync(settings.Pods, settings.Clients, async _ =>
                Check(await Client().GetAsync($"{Pods}/pod-{random.Next(settings.Pods)}"))));
            async Task ListAllAsync()
            {
                using var response = Check(await clients[0].GetAsync(Pods));
                var items = (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
                if (items.Count < settings.Pods)
                {
                    throw new InvalidOperationException($"listed {items.Count} pods, expected {settings.Pods}");
                }
            }
            await ListAllAsync(); // a first list warms the list path, as the creates warmed theirs
            var list = await Timed.SequentialAsync(5, _ => ListAllAsync());
            return new RunResults(create, get, list, await WatchAsync(server, clients[0], settings), createCpu, getCpu);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>
    /// Opens every client's connection and runs creates and gets in a namespace of their own before anything is
    /// timed, so the figures are of a warm server rather than of TLS handshakes and the JIT's first compilations.
    /// </summary>
    private static async Task WarmUpAsync(HttpClient[] clients, BenchSettings settings)
    {
        const string Namespace = "warm-up";
        Check(await clients[0].PostAsJsonAsync("api/v1/namespaces", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = Namespace },
        }));
        var pods = $"api/v1/namespaces/{Namespace}/pods";
        await Timed.ConcurrentAsync(settings.WarmUp, clients.Length, async i =>
        {
            var pod = UnscheduledPod($"pod-{i}", Namespace);
            Check(await clients[i % clients.Length].PostAsJsonAsync(pods, pod));
            Check(await clients[i % clients.Length].GetAsync($"{pods}/pod-{i}"));
        });
    }

    /// <summary>Runs a phase and tells the CPU time per operation the server and this process (the clients) spent on it.</summary>
    private static async Task<(Measurement Run, CpuCost Cost)> CpuCosted(ServerProcess server, Func<Task<Measurement>> phase)
    {
        var self = System.Diagnostics.Process.GetCurrentProcess();
        var (serverBefore, selfBefore) = (server.CpuTime, self.TotalProcessorTime);
        var run = await phase();
        self.Refresh();
        return (run, new CpuCost(
            (server.CpuTime - serverBefore).TotalMilliseconds / run.Operations,
            (self.TotalProcessorTime - selfBefore).TotalMilliseconds / run.Operations));
    }

    /// <summary>Watchers on the pods of one namespace; latency runs from issuing a create to a watcher reading its event.</summary>
    private static async Task<Measurement> WatchAsync(ServerProcess server, HttpClient writer, BenchSettings settings)
    {
        Check(await writer.PostAsJsonAsync("api/v1/namespaces", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = "watched" },
        }));
        var list = await writer.GetFromJsonAsync<JsonObject>("api/v1/namespaces/watched/pods");
        var from = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        var issued = new long[settings.Events];
        var latencies = new double[settings.Watchers][];
        var ready = new CountdownEvent(settings.Watchers);
        var watchers = Enumerable.Range(0, settings.Watchers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new double[settings.Events];
            using var client = server.CreateClient();
            using var response = await client.GetAsync($"api/v1/namespaces/watched/pods?watch=true&resourceVersion={from}", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await Check(response).Content.ReadAsStreamAsync());
            ready.Signal();
            for (var seen = 0; seen < settings.Events;)
            {
                var line = await reader.ReadLineAsync() ?? throw new InvalidOperationException("watch ended early");
                var name = JsonNode.Parse(line)!["object"]!["metadata"]!["name"]!.GetValue<string>();
                var index = int.Parse(name["pod-".Length..], System.Globalization.CultureInfo.InvariantCulture);
                mine[index] = Stopwatch.GetElapsedTime(Volatile.Read(ref issued[index])).TotalMilliseconds;
                seen++;
            }
        })).ToArray();
        ready.Wait();
        var elapsed = Stopwatch.StartNew();
        for (var i = 0; i < settings.Events; i++)
        {
            var pod = UnscheduledPod($"pod-{i}", "watched");
            Volatile.Write(ref issued[i], Stopwatch.GetTimestamp());
            Check(await writer.PostAsJsonAsync("api/v1/namespaces/watched/pods", pod));
        }
        await Task.WhenAll(watchers).WaitAsync(TimeSpan.FromMinutes(2));
        return new Measurement(settings.Events * settings.Watchers, elapsed.Elapsed, [.. latencies.SelectMany(l => l)]);
    }

    private static HttpResponseMessage Check(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? response : throw new InvalidOperationException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}");
}
