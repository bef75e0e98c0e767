using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Bench.Network;

/// <summary>One wrk run's throughput and 99th-percentile latency.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P99Milliseconds);

/// <summary>
/// Debian's wrk against one URL, from the host or from inside a pod's network namespace (through <c>nsenter</c>,
/// as a client pod of the cluster would send it).
/// </summary>
internal static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(string url, BenchSettings settings, int? namespacePid = null)
    {
        string[] wrk = ["wrk", "--latency", "-t", "2", "-c", settings.Connections.ToString(CultureInfo.InvariantCulture),
            "-d", settings.Seconds.ToString(CultureInfo.InvariantCulture) + "s", url];
        string[] command = namespacePid is { } pid ? ["nsenter", $"--net=/proc/{pid}/ns/net", .. wrk] : wrk;
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} could not be started");
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || RequestsPerSecond().Match(output) is not { Success: true } rate || P99().Match(output) is not { Success: true } p99)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({process.ExitCode}): {error}{output}");
        }
        if (Errors().Match(output) is { Success: true } errors)
        {
            throw new InvalidOperationException($"wrk saw failed requests against {url}: {errors.Value}");
        }
        return new WrkResult(double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture), Milliseconds(p99.Groups[1].Value, p99.Groups[2].Value));
    }

    private static double Milliseconds(string value, string unit) => double.Parse(value, CultureInfo.InvariantCulture) * unit switch
    {
        "us" => 0.001,
        "ms" => 1,
        "s" => 1000,
        _ => throw new FormatException($"wrk printed a latency in {unit}"),
    };

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+99%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99();

    [GeneratedRegex(@"Socket errors:.*|Non-2xx or 3xx responses: \d+")]
    private static partial Regex Errors();
}
