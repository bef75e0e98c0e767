using System.Diagnostics;
using System.Globalization;

namespace Berth.Bench.Pods;

/// <summary>A <c>berth agent</c> on the podman runtime, joined to the benchmark's server as a user starts one.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AgentProcess(Process process, string nodeName)
    {
        _process = process;
        NodeName = nodeName;
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

    public static AgentProcess Start(ServerProcess server, string nodeName)
    {
        var process = BerthExecutable.Start(
            ["agent", "--runtime", "podman", "--node-name", nodeName, "--address", "127.0.1.1", "--port", "0",
                "--kubeconfig", Path.Combine(server.DataDirectory, "kubeconfig"), "--cpu", "64", "--memory", "64Gi"],
            new Dictionary<string, string> { ["BERTH_DATA_DIR"] = server.DataDirectory }, redirectStandardError: true);
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep the pipes drained
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        return new AgentProcess(process, nodeName);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
