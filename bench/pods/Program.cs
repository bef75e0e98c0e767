// The pod start benchmark: pods created through `berth server` and run by a `berth agent` on podman, timed from the
// create request until they are Running, beside raw `podman create` + `podman start` of the same image in the same
// run, and beside the same container created and started through the engine's API alone (its floor, for bursts);
// then the agent's resident memory with pods running, ten seconds and a minute after they started.
// Usage: dotnet run -c Release --project bench/pods [-- --singles 10 --burst 30 --rounds 3 --resident-pods 10]
using System.Globalization;
using Berth.Agent.Runtime;
using Berth.Bench;
using Berth.Bench.Pods;

const string Image = "localhost/berth-bench/busybox:1";
const string NodeName = "bench-node";
var settings = BenchSettings.Parse(args);
var scratch = Directory.CreateTempSubdirectory("berth-bench-pods-").FullName;
var config = Path.Combine(scratch, "containers.conf");
await File.WriteAllTextAsync(config, PodmanService.ContainersConf);
var podman = new PodmanCli(config);
try
{
    await podman.BuildBusyboxAsync(scratch, Image);
    await using var server = await ServerProcess.StartAsync(Path.Combine(scratch, "server"));
    await using var agent = AgentProcess.Start(server, NodeName);
    await using var pods = await PodStarts.OpenAsync(server);
    var raw = new RawPodman(podman, Image);
    using var engine = new RawEngine(PodmanService.Endpoint(Path.Combine(server.DataDirectory, "podman")), Image);

    // one untimed start of each warms the image, the agent's sandbox image and both code paths
    await pods.StartAsync(Image, ["warm-up"]);
    await pods.DeleteAsync(["warm-up"], podman, NodeName);
    await raw.StartAsync(["berth-bench-warm-up"]);
    await raw.RemoveAsync(["berth-bench-warm-up"]);
    await engine.StartAsync(["berth-bench-engine-warm-up"]);
    await engine.RemoveAsync(["berth-bench-engine-warm-up"]);
    var idleResident = agent.ResidentBytes;

    // they alternate round by round, so that a machine that speeds up or slows down affects them all alike
    List<double> rawSingles = [], berthSingles = [], rawBursts = [], berthBursts = [], engineBursts = [];
    for (var round = 0; round < settings.Rounds; round++)
    {
        for (var i = 0; i < settings.Singles; i++)
        {
            var name = $"berth-bench-{round}-{i}";
            rawSingles.AddRange(await raw.StartAsync([name]));
            await raw.RemoveAsync([name]);
            var pod = $"single-{round}-{i}";
            berthSingles.AddRange(await pods.StartAsync(Image, [pod]));
            await pods.DeleteAsync([pod], podman, NodeName);
        }
        var containers = Enumerable.Range(0, settings.Burst).Select(i => $"berth-bench-burst-{round}-{i}").ToArray();
        rawBursts.AddRange(await raw.StartAsync(containers));
        await raw.RemoveAsync(containers);
        engineBursts.AddRange(await engine.StartAsync(containers));
        await engine.RemoveAsync(containers);
        var burst = Enumerable.Range(0, settings.Burst).Select(i => $"burst-{round}-{i}").ToArray();
        berthBursts.AddRange(await pods.StartAsync(Image, burst));
        await pods.DeleteAsync(burst, podman, NodeName);
    }

    var resident = Enumerable.Range(0, settings.ResidentPods).Select(i => $"resident-{i}").ToArray();
    await pods.StartAsync(Image, resident);
    // a few of the agent's sync and status rounds with the pods running; then the steady state, a minute on, past the
    // agent's return of a quiet heap's memory (every 30 s): the target is read there, both are printed
    await Task.Delay(TimeSpan.FromSeconds(10));
    var startedResident = agent.ResidentBytes;
    await Task.Delay(TimeSpan.FromSeconds(50));
    var busyResident = agent.ResidentBytes;
    await pods.DeleteAsync(resident, podman, NodeName);

    Console.WriteLine($"Berth pod start benchmark: {settings.Rounds} rounds of {settings.Singles} pods one at a time and {settings.Burst} at once");
    var missed = new List<string>();
    Line("1 pod at a time", berthSingles, rawSingles, missed);
    Line($"{settings.Burst} pods at once", berthBursts, rawBursts, missed);
    var floor = new Measurement(engineBursts.Count, TimeSpan.Zero, [.. engineBursts]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{settings.Burst} at once, engine API alone     p50 {floor.Percentile(50),7:F0} ms p99 {floor.Percentile(99),7:F0} ms (create + start, no network: the engine's floor for the burst)"));
    var residentMb = busyResident / 1024.0 / 1024.0;
    var residentMet = residentMb <= 60;
    if (!residentMet)
    {
        missed.Add("agent memory");
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"agent RSS, {settings.ResidentPods} pods   {residentMb,7:F1} MB after 1 min ({startedResident / 1024.0 / 1024.0:F1} MB after 10 s) | idle {idleResident / 1024.0 / 1024.0,6:F1} MB (baseline) | ratio {(double)busyResident / idleResident,5:F2}  target <= 60 MB: {(residentMet ? "met" : "MISSED")}"));
    Console.WriteLine(missed.Count == 0 ? "all targets met" : $"targets missed: {string.Join(", ", missed)}");
    return missed.Count == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

static void Line(string name, List<double> berth, List<double> raw, List<string> missed)
{
    var measured = new Measurement(berth.Count, TimeSpan.Zero, [.. berth]);
    var baseline = new Measurement(raw.Count, TimeSpan.Zero, [.. raw]);
    var ratio = measured.Percentile(50) / baseline.Percentile(50);
    var met = ratio <= 1.25 && measured.Percentile(99) <= 2000;
    if (!met)
    {
        missed.Add(name);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-18} Berth p50 {measured.Percentile(50),7:F0} ms p99 {measured.Percentile(99),7:F0} ms | podman p50 {baseline.Percentile(50),7:F0} ms p99 {baseline.Percentile(99),7:F0} ms | p50 ratio {ratio,5:F2} (p99 {measured.Percentile(99) / baseline.Percentile(99),4:F2})  target p50 <= 1.25x, p99 <= 2000 ms: {(met ? "met" : "MISSED")}"));
}
