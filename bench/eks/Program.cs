// The EKS benchmark: the time from CreateCluster + CreateNodegroup (two nodes) until both nodes are Ready in the new
// cluster, beside the time to start the same number of bare `berth agent` processes (on the same runtime, joining the
// default cluster) until their nodes are Ready, in the same run.
// Usage: dotnet run -c Release --project bench/eks [-- --rounds 3 --nodes 2]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Bench;
using Berth.Bench.Eks;

var rounds = 3;
var nodes = 2;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    _ = args[i] switch
    {
        "--rounds" => rounds = value,
        "--nodes" => nodes = value,
        _ => throw new ArgumentException($"unknown option {args[i]}"),
    };
}

var scratch = Directory.CreateTempSubdirectory("berth-bench-eks-").FullName;
try
{
    await using var server = await ServerProcess.StartAsync(Path.Combine(scratch, "server"));
    using var eks = EksClient.ForServer(server);
    List<double> eksSeconds = [], bareSeconds = [];
    // round 0 warms both paths (the shared Podman service, the sandbox image, the code) and is not counted
    for (var round = 0; round <= rounds; round++)
    {
        var order = round % 2 == 0 ? new[] { true, false } : [false, true];
        foreach (var isEks in order)
        {
            var seconds = isEks ? await EksRoundAsync(server, eks, $"bench{round}", nodes) : await BareRoundAsync(server, round, nodes);
            if (round > 0)
            {
                (isEks ? eksSeconds : bareSeconds).Add(seconds);
            }
        }
    }
    var eksMedian = Median(eksSeconds);
    var bareMedian = Median(bareSeconds);
    Console.WriteLine($"Berth EKS benchmark: {rounds} rounds, {nodes} nodes (t3.small, podman runtime)");
    Console.WriteLine($"{"",-58} {"seconds",8} {"ratio",7}");
    Console.WriteLine($"{$"{nodes} bare berth agents started until Ready (baseline)",-58} {bareMedian,8:F2} {1.0,7:F2}");
    Console.WriteLine($"{"CreateCluster + CreateNodegroup until the nodes are Ready",-58} {eksMedian,8:F2} {eksMedian / bareMedian,7:F2}");
    var met = eksMedian <= 5.0;
    Console.WriteLine($"target: <= 5 s end to end: {(met ? "met" : "missed")}");
    return met ? 0 : 1;
}
finally
{
    // the agents started the Podman service of the server's data folder, which outlives them by design
    foreach (var podman in Process.GetProcessesByName("podman").Where(p => File.Exists($"/proc/{p.Id}/cmdline")
        && File.ReadAllText($"/proc/{p.Id}/cmdline").Contains(scratch, StringComparison.Ordinal)))
    {
        podman.Kill();
    }
    Directory.Delete(scratch, recursive: true);
}

static async Task<double> EksRoundAsync(ServerProcess server, EksClient eks, string name, int nodes)
{
    var clock = Stopwatch.StartNew();
    await eks.SucceedAsync(HttpMethod.Post, "/clusters", new JsonObject
    {
        ["name"] = name,
        ["roleArn"] = "arn:aws:iam::000000000000:role/eks",
        ["resourcesVpcConfig"] = new JsonObject { ["subnetIds"] = new JsonArray("subnet-1") },
    });
    while ((await eks.SucceedAsync(HttpMethod.Get, $"/clusters/{name}"))["cluster"]!["status"]!.GetValue<string>() != "ACTIVE")
    {
        await Task.Delay(10);
    }
    await eks.SucceedAsync(HttpMethod.Post, $"/clusters/{name}/node-groups", new JsonObject
    {
        ["nodegroupName"] = "ng",
        ["instanceTypes"] = new JsonArray("t3.small"),
        ["scalingConfig"] = new JsonObject { ["minSize"] = 1, ["maxSize"] = nodes, ["desiredSize"] = nodes },
        ["subnets"] = new JsonArray("subnet-1"),
        ["nodeRole"] = "arn:aws:iam::000000000000:role/node",
    });
    using var kube = server.CreateClient(name);
    await WaitReadyAsync(kube, nodes);
    var seconds = clock.Elapsed.TotalSeconds;

    await eks.SucceedAsync(HttpMethod.Delete, $"/clusters/{name}/node-groups/ng");
    while ((await eks.SendAsync(HttpMethod.Get, $"/clusters/{name}/node-groups/ng")).Status != 404)
    {
        await Task.Delay(50);
    }
    await eks.SucceedAsync(HttpMethod.Delete, $"/clusters/{name}");
    while ((await eks.SendAsync(HttpMethod.Get, $"/clusters/{name}")).Status != 404)
    {
        await Task.Delay(50);
    }
    return seconds;
}

static async Task<double> BareRoundAsync(ServerProcess server, int round, int nodes)
{
    var clock = Stopwatch.StartNew();
    var agents = Enumerable.Range(0, nodes).Select(i => BerthExecutable.Start(
        ["agent", "--runtime", "podman", "--node-name", $"bare-{round}-{i}", "--address", $"127.11.{round}.{i + 1}", "--port", "10250",
            "--kubeconfig", Path.Combine(server.DataDirectory, "kubeconfig"), "--cpu", "2", "--memory", "2Gi"],
        new Dictionary<string, string> { ["BERTH_DATA_DIR"] = server.DataDirectory }, redirectStandardError: true)).ToList();
    foreach (var agent in agents)
    {
        _ = agent.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep the pipes drained
        _ = agent.StandardError.ReadToEndAsync(CancellationToken.None);
    }
    using var kube = server.CreateClient("default");
    await WaitReadyAsync(kube, nodes, $"bare-{round}-");
    var seconds = clock.Elapsed.TotalSeconds;
    foreach (var agent in agents)
    {
        agent.Kill();
        await agent.WaitForExitAsync();
        agent.Dispose();
    }
    for (var i = 0; i < nodes; i++)
    {
        await kube.DeleteAsync($"api/v1/nodes/bare-{round}-{i}");
    }
    return seconds;
}

static async Task WaitReadyAsync(HttpClient kube, int count, string prefix = "")
{
    var deadline = Stopwatch.StartNew();
    while (true)
    {
        using var response = await kube.GetAsync("api/v1/nodes");
        if (response.IsSuccessStatusCode)
        {
            var items = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray();
            var ready = items.Count(n => n!["metadata"]!["name"]!.GetValue<string>().StartsWith(prefix, StringComparison.Ordinal)
                && (n["status"]?["conditions"]?.AsArray() ?? []).Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True"));
            if (ready >= count)
            {
                return;
            }
        }
        if (deadline.Elapsed > TimeSpan.FromMinutes(2))
        {
            throw new TimeoutException($"{count} nodes were not Ready within 2 minutes");
        }
        await Task.Delay(10);
    }
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
