using System.Diagnostics;

namespace Berth.Bench.Network;

/// <summary>The stock kubectl against the benchmark's server, as a user drives it.</summary>
internal sealed class Kubectl(string kubeconfig)
{
    public async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl could not be started");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }
        return (await output).Trim();
    }

    /// <summary>Reads <paramref name="jsonPath"/> of an object until it is not empty (a minute at most).</summary>
    public async Task<string> WaitForAsync(string resource, string jsonPath)
    {
        for (var round = 0; round < 120; round++)
        {
            if (await RunAsync("get", resource, "-o", $"jsonpath={jsonPath}") is { Length: > 0 } value)
            {
                return value;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{resource} has no {jsonPath} after a minute");
    }
}
