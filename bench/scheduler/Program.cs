// The scheduler benchmark: plain pods placed by `berth server`'s scheduler on hollow nodes, from create to bound,
// beside a baseline in which the clients bind the same pods themselves (a scheduler that takes no time to decide).
// Usage: dotnet run -c Release --project bench/scheduler [-- --nodes 1000,5000 --pods 10000 --clients 100]
using System.Globalization;
using Berth.Bench;
using Berth.Bench.Scheduler;

const double TargetPerSecond = 500;
const int TargetNodes = 5000;

var settings = BenchSettings.Parse(args);
Console.WriteLine($"Berth scheduler benchmark: {settings.Pods} pods, {settings.Clients} clients, nodes {string.Join(", ", settings.NodeCounts)}");
var missed = new List<string>();
foreach (var nodes in settings.NodeCounts)
{
    var scratch = Directory.CreateTempSubdirectory("berth-bench-scheduler-").FullName;
    try
    {
        await using var server = await ServerProcess.StartAsync(Path.Combine(scratch, "server"));
        using var clients = new Clients(server, settings.Clients);
        await clients.ConnectAsync();
        await HollowNodes.CreateAsync(clients, nodes);
        var oracle = await OracleRun.RunAsync(clients, settings.Pods, nodes);
        var scheduled = await ScheduledRun.RunAsync(server, clients, settings.Pods);
        var verdict = "";
        if (nodes >= TargetNodes)
        {
            var met = scheduled.PerSecond >= TargetPerSecond;
            verdict = $"target >= {TargetPerSecond:F0}/s: {(met ? "met" : "MISSED")}";
            if (!met)
            {
                missed.Add($"{nodes} nodes");
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{nodes,5} nodes  scheduled {scheduled.PerSecond,6:F0} pods/s (create->bound p50 {scheduled.Percentile(50),8:F1} ms p99 {scheduled.Percentile(99),8:F1} ms)"
            + $" | client-bound {oracle.PerSecond,6:F0} pods/s | ratio {scheduled.PerSecond / oracle.PerSecond,5:F2}  {verdict}"));
    }
    finally
    {
        Directory.Delete(scratch, recursive: true);
    }
}
Console.WriteLine(missed.Count == 0 ? "all targets met" : $"targets missed: {string.Join(", ", missed)}");
return missed.Count == 0 ? 0 : 1;
