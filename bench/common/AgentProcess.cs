using System.Diagnostics;
using System.Globalization;

namespace Berth.Bench;

/// <summary>A <c>berth agent</c> on the podman runtime, joined to the benchmark's server as a user starts one.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly string _dataDirectory;

    private AgentProcess(Process process, string nodeName, string dataDirectory)
    {
        _process = process;
        NodeName = nodeName;
        _dataDirectory = dataDirectory;
    }

    public string NodeName { get; }

    /// <summary>The agent's resident memory, as the kernel counts it.</summary>
    public long ResidentBytes
    {
        get
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>Starts an agent for node <paramref name="nodeName"/> at <paramref name="address"/>, with room for any pods a benchmark runs.</summary>
    public static AgentProcess Start(ServerProcess server, string nodeName, string address = "127.0.1.1")
    {
        var process = BerthExecutable.Start(
            ["agent", "--runtime", "podman", "--node-name", nodeName, "--address", address, "--port", "0",
                "--kubeconfig", Path.Combine(server.DataDirectory, "kubeconfig"), "--cpu", "64", "--memory", "64Gi"],
            new Dictionary<string, string> { ["BERTH_DATA_DIR"] = server.DataDirectory }, redirectStandardError: true);
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep the pipes drained
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        return new AgentProcess(process, nodeName, server.DataDirectory);
    }

    /// <summary>
    /// Stops the agent, then removes what its node leaves on the machine (its pods' containers, and with the last node
    /// of its cluster the pod network and service rules) with <c>berth agent --tear-down</c>, and stops the Podman
    /// service it started.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        using var tearDown = BerthExecutable.Start(["agent", "--runtime", "podman", "--node-name", NodeName, "--tear-down"],
            new Dictionary<string, string> { ["BERTH_DATA_DIR"] = _dataDirectory }, redirectStandardError: true);
        var output = tearDown.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = tearDown.StandardError.ReadToEndAsync(CancellationToken.None);
        await tearDown.WaitForExitAsync();
        if (tearDown.ExitCode != 0)
        {
            throw new InvalidOperationException($"berth agent --tear-down failed ({tearDown.ExitCode}): {await errors}{await output}");
        }
        await Berth.Agent.Runtime.PodmanService.StopAsync(Path.Combine(_dataDirectory, "podman"), [], CancellationToken.None);
    }
}
