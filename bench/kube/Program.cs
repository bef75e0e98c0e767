// The Kubernetes API benchmark: create, get and list of pods and watch delivery through `berth server`
// over HTTPS from many clients, printed beside the same operations on the raw store in this process.
// Usage: dotnet run -c Release --project bench/kube [-- --clients 100 --pods 10000 --watchers 100 --events 200 --warm-up 15000]
using Berth.Bench;
using Berth.Bench.Kube;

var settings = BenchSettings.Parse(args);
var scratch = Directory.CreateTempSubdirectory("berth-bench-kube-").FullName;
try
{
    var raw = await RawStoreRun.RunAsync(Path.Combine(scratch, "raw.db"), settings);
    await using var server = await ServerProcess.StartAsync(Path.Combine(scratch, "server"));
    var api = await ApiRun.RunAsync(server, settings);

    Console.WriteLine($"Berth Kubernetes API benchmark: {settings.Clients} clients, {settings.Pods} pods, {settings.Watchers} watchers x {settings.Events} events");
    var missed = new List<string>();
    Line("create", api.Create, raw.Create, targetP99Ms: 50, missed);
    Line("get", api.Get, raw.Get, targetP99Ms: null, missed);
    Line($"list of {settings.Pods}", api.List, raw.List, targetP99Ms: 1000, missed);
    Line("watch delivery", api.Watch, raw.Watch, targetP99Ms: null, missed);
    if (api is { CreateCpu: { } create, GetCpu: { } get })
    {
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"CPU per request    create: server {create.ServerMs:F3} ms, clients {create.ClientMs:F3} ms | get: server {get.ServerMs:F3} ms, clients {get.ClientMs:F3} ms"));
    }
    Console.WriteLine(missed.Count == 0 ? "all targets met" : $"targets missed: {string.Join(", ", missed)}");
    return missed.Count == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

static void Line(string name, Measurement api, Measurement raw, double? targetP99Ms, List<string> missed)
{
    var verdict = "";
    if (targetP99Ms is { } target)
    {
        var met = api.Percentile(99) < target;
        verdict = $"target p99 < {target:F0} ms: {(met ? "met" : "MISSED")}";
        if (!met)
        {
            missed.Add(name);
        }
    }
    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{name,-18} API {api.PerSecond,9:F0}/s p50 {api.Percentile(50),8:F2} ms p99 {api.Percentile(99),8:F2} ms | store {raw.PerSecond,9:F0}/s p99 {raw.Percentile(99),7:F2} ms | API/store p99 {api.Percentile(99) / raw.Percentile(99),6:F1}  {verdict}"));
}
