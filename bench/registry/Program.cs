// The registry benchmark: push and pull throughput of a large image and of many small blobs, and concurrent pulls,
// through Berth's registry and Debian's docker-registry (distribution 2.8) side by side in the same run, with the
// same client; then both processes' memory.
// Usage: dotnet run -c Release --project bench/registry [-- --large-mb 100 --small-blobs 1000 --small-bytes 4096 --pullers 10 --rounds 3]
using System.Diagnostics;
using System.Security.Cryptography;
using Berth.Bench;
using Berth.Bench.Registry;

var settings = BenchSettings.Parse(args);
var scratch = Directory.CreateTempSubdirectory("berth-bench-registry-").FullName;
try
{
    await using var server = await ServerProcess.StartAsync(Path.Combine(scratch, "server"));
    Directory.CreateDirectory(Path.Combine(scratch, "baseline"));
    await using var baselineProcess = await DockerRegistryProcess.StartAsync(Path.Combine(scratch, "baseline"));
    var aws = new AwsCli(server.AwsAddress, server.DataDirectory);
    foreach (var repository in new[] { "bench/large", "bench/small" })
    {
        await aws.RunAsync("ecr", "create-repository", "--repository-name", repository);
    }
    var password = (await aws.RunAsync("ecr", "get-login-password")).Trim();
    using var berth = new DistributionClient(server.AwsAddress, password);
    using var baseline = new DistributionClient(baselineProcess.Address, null);
    var idle = (Berth: ProcessMemory.Resident(server.ProcessId), Baseline: ProcessMemory.Resident(baselineProcess.ProcessId));

    var lines = new[] { "large image push", "large image pull", "small blobs push", "small blobs pull", $"large image, {settings.Pullers} concurrent pulls" };
    var results = lines.ToDictionary(l => l, _ => (Berth: new List<double>(), Baseline: new List<double>()));
    for (var round = 0; round < settings.Rounds; round++)
    {
        // fresh content each round, so no push finds its blobs already stored
        var layer = RandomNumberGenerator.GetBytes(settings.LargeMegabytes * 1024 * 1024);
        var small = Enumerable.Range(0, settings.SmallBlobs).Select(_ => RandomNumberGenerator.GetBytes(settings.SmallBlobBytes)).ToArray();
        var tag = $"r{round}";
        // the two alternate which goes first, so that a machine that speeds up or slows down affects both alike
        var order = round % 2 == 0 ? new[] { true, false } : [false, true];
        foreach (var isBerth in order)
        {
            var client = isBerth ? berth : baseline;
            var megabytes = (double)layer.Length / (1024 * 1024);
            var smallMegabytes = (double)settings.SmallBlobs * settings.SmallBlobBytes / (1024 * 1024);
            Record(lines[0], isBerth, megabytes / await TimeAsync(() => client.PushImageAsync("bench/large", tag, [layer])));
            Record(lines[1], isBerth, megabytes / await TimeAsync(() => client.PullImageAsync("bench/large", tag)));
            Record(lines[2], isBerth, smallMegabytes / await TimeAsync(() => ForEachAsync(small, b => client.PushBlobAsync("bench/small", b))));
            Record(lines[3], isBerth, smallMegabytes / await TimeAsync(() => ForEachAsync(small, b => client.PullBlobAsync("bench/small", DistributionClient.Digest(b)))));
            Record(lines[4], isBerth, settings.Pullers * megabytes
                / await TimeAsync(() => Task.WhenAll(Enumerable.Range(0, settings.Pullers).Select(_ => client.PullImageAsync("bench/large", tag)))));
        }
    }
    var peak = (Berth: ProcessMemory.Peak(server.ProcessId), Baseline: ProcessMemory.Peak(baselineProcess.ProcessId));

    Console.WriteLine($"Berth registry benchmark: {settings.Rounds} rounds; a {settings.LargeMegabytes} MB one-layer image, {settings.SmallBlobs} blobs of {settings.SmallBlobBytes} bytes (4 at a time)");
    Console.WriteLine($"{"",-36} {"docker-registry",16} {"Berth",12} {"ratio",8}   (MB/s, median of rounds; target: ratio >= 1.0)");
    var missed = new List<string>();
    foreach (var line in lines)
    {
        var (berthValues, baselineValues) = results[line];
        var ratio = Median(berthValues) / Median(baselineValues);
        Console.WriteLine($"{line,-36} {Median(baselineValues),16:F1} {Median(berthValues),12:F1} {ratio,8:F2}");
        if (ratio < 1.0)
        {
            missed.Add(line);
        }
    }
    Console.WriteLine($"{"resident memory, idle (MB)",-36} {idle.Baseline / 1048576.0,16:F0} {idle.Berth / 1048576.0,12:F0}   (Berth: the whole server)");
    Console.WriteLine($"{"resident memory, peak (MB)",-36} {peak.Baseline / 1048576.0,16:F0} {peak.Berth / 1048576.0,12:F0} {(double)peak.Berth / peak.Baseline,8:F2}");
    Console.WriteLine($"{"peak less idle (MB)",-36} {(peak.Baseline - idle.Baseline) / 1048576.0,16:F0} {(peak.Berth - idle.Berth) / 1048576.0,12:F0}");
    Console.WriteLine(missed.Count == 0 ? "every throughput line at or above the baseline" : $"below the baseline: {string.Join(", ", missed)}");

    void Record(string line, bool isBerth, double value) => (isBerth ? results[line].Berth : results[line].Baseline).Add(value);
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

static async Task<double> TimeAsync(Func<Task> work)
{
    var clock = Stopwatch.StartNew();
    await work();
    return clock.Elapsed.TotalSeconds;
}

static Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> work) =>
    Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (item, _) => await work(item));

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

/// <summary>The AWS CLI with the server's own credentials, for the ECR calls that set the run up.</summary>
internal sealed class AwsCli(Uri endpoint, string dataDirectory)
{
    public async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("aws") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments.Concat(["--endpoint-url", endpoint.ToString(), "--region", "us-east-1"]))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(dataDirectory, "aws-credentials");
        start.Environment["AWS_PROFILE"] = "berth";
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(dataDirectory, "no-aws-config");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("the AWS CLI is not installed");
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"aws {string.Join(' ', arguments)}: {errors}");
    }
}
