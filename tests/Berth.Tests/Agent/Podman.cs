using System.Diagnostics;
using Berth.Agent.Runtime;

namespace Berth.Tests.Agent;

/// <summary>The stock <c>podman</c> command, with Berth's container settings, for what a user does beside the agents.</summary>
internal sealed class Podman(string configPath)
{
    public static async Task<Podman> CreateAsync(string directory)
    {
        var config = Path.Combine(directory, "containers.conf");
        await File.WriteAllTextAsync(config, PodmanService.ContainersConf, TestContext.Current.CancellationToken);
        return new Podman(config);
    }

    public async Task<string> SucceedAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("podman") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["CONTAINERS_CONF"] = configPath;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("podman could not be started; setup.sh installs it");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"podman {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        return (await output).Trim();
    }

    /// <summary>Builds a small image from Debian's static busybox (<c>sh</c>, <c>httpd</c>, <c>nc</c> …) and tags it with every name given.</summary>
    public async Task BuildBusyboxAsync(string directory, params string[] tags)
    {
        var context = await BusyboxImage.WriteContextAsync(directory, TestContext.Current.CancellationToken);
        await SucceedAsync("build", "-q", "-t", tags[0], context);
        foreach (var tag in tags.Skip(1))
        {
            await SucceedAsync("tag", tags[0], tag);
        }
    }

    /// <summary>The names of the containers the runtime has for a node, running or not.</summary>
    public async Task<string[]> ContainersOfNodeAsync(string node) =>
        (await SucceedAsync("ps", "-a", "--filter", "label=io.berth.node=" + node, "--format", "{{.Names}}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Removes a cluster's pod bridge (with no sandbox left on it: the machine's other installations may hold pods of a
    /// cluster that had the same range before) and its service rules, as the cluster's last node does.
    /// </summary>
    public static async Task RemoveNetworkAsync(string podCidr)
    {
        var network = Berth.Agent.Network.PodNetwork.SpecFor(podCidr);
        await Berth.Agent.Network.HostBridge.RemoveIfUnusedAsync(network.Bridge, CancellationToken.None);
        await Berth.Agent.Services.Nftables.DeleteAsync(Berth.Agent.Services.NftablesRules.TableName(network.Bridge), CancellationToken.None);
    }

    /// <summary>Stops the Podman service the agents started on the socket in <paramref name="podmanDirectory"/>.</summary>
    public static void StopService(string podmanDirectory)
    {
        var socket = PodmanService.SocketPath(podmanDirectory);
        foreach (var process in Process.GetProcessesByName("podman"))
        {
            var commandLine = File.Exists($"/proc/{process.Id}/cmdline") ? File.ReadAllText($"/proc/{process.Id}/cmdline") : "";
            if (commandLine.Contains(socket, StringComparison.Ordinal))
            {
                process.Kill();
            }
        }
    }
}
