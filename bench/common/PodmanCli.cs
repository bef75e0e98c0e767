using System.Diagnostics;
using Berth.Testing;

namespace Berth.Bench;

/// <summary>The stock <c>podman</c> command with the container settings the agent's Podman service uses.</summary>
public sealed class PodmanCli(string configPath)
{
    public async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["CONTAINERS_CONF"] = configPath;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("podman could not be started; setup.sh installs it");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"podman {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }
        return (await output).Trim();
    }

    /// <summary>Builds the busybox image the end-to-end tests run.</summary>
    public async Task BuildBusyboxAsync(string directory, string tag)
    {
        var context = await BusyboxImage.WriteContextAsync(directory);
        await RunAsync("build", "-q", "-t", tag, context);
    }
}
