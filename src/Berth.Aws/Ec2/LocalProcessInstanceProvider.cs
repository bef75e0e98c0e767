using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Berth.Kube.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.Ec2;

/// <summary>How the server starts its own node agents: the command that runs <c>berth</c>, and the data folder they share.</summary>
/// <param name="BerthCommand">The executable and leading arguments that run <c>berth</c> (<c>dotnet berth.dll</c>, or the published binary).</param>
/// <param name="DataDirectory">The server's data folder, which the agents use too (their files, the shared Podman service).</param>
/// <param name="Runtime">The agents' container runtime: <c>podman</c>, or <c>simulated</c> for scale tests.</param>
public sealed record InstanceProviderOptions(IReadOnlyList<string> BerthCommand, string DataDirectory, string Runtime = "podman");

/// <summary>
/// Each instance a <c>berth agent</c> process of the server's, with the instance type's CPU and memory, on the instance's
/// own loopback address, joining its cluster as the node <see cref="Ec2Instance.NodeName"/>. Its output goes to
/// <c>&lt;data&gt;/instances/&lt;id&gt;/agent.log</c>. When the server stops, the agents stop with it and their pods keep
/// running, as at a kubelet restart; terminating an instance also runs <c>berth agent --tear-down</c>, which removes
/// what the node's pods left.
/// </summary>
internal sealed partial class LocalProcessInstanceProvider(InstanceProviderOptions options, ClusterEndpoints endpoints,
    ILogger<LocalProcessInstanceProvider> logger) : IInstanceProvider, IHostedService
{
    private const int SigTerm = 15;
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, Process> _agents = new(StringComparer.Ordinal);

    public Task StartAsync(Ec2Instance instance, CancellationToken cancellationToken)
    {
        if (_agents.TryGetValue(instance.InstanceId, out var running) && !running.HasExited)
        {
            return Task.CompletedTask;
        }
        var node = instance.Node ?? throw new InvalidOperationException($"Instance {instance.InstanceId} has no node to boot.");
        var kubeconfig = endpoints.AdminKubeconfig(node.Cluster) ?? throw new InvalidOperationException("The Kubernetes API does not listen yet.");
        var directory = Directory.CreateDirectory(InstanceDirectory(instance)).FullName;
        var kubeconfigPath = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(kubeconfigPath, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(kubeconfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the admin's key
        }
        File.WriteAllText(kubeconfigPath, kubeconfig);
        var arguments = new List<string>
        {
            "--node-name", instance.NodeName,
            "--address", instance.NodeAddress,
            "--port", "10250",
            "--kubeconfig", kubeconfigPath,
            "--cpu", node.Cpu,
            "--memory", node.Memory,
            "--max-pods", node.MaxPods.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in node.Labels)
        {
            arguments.AddRange(["--label", $"{key}={value}"]);
        }
        foreach (var taint in node.Taints)
        {
            arguments.AddRange(["--taint", taint]);
        }
        var process = Run(arguments, Path.Combine(directory, "agent.log"));
        _agents[instance.InstanceId] = process;
        LogStarted(logger, instance.InstanceId, instance.NodeName, process.Id);
        return Task.CompletedTask;
    }

    public bool? IsRunning(Ec2Instance instance) =>
        _agents.TryGetValue(instance.InstanceId, out var process) ? !process.HasExited : null;

    public async Task TerminateAsync(Ec2Instance instance, CancellationToken cancellationToken)
    {
        if (_agents.TryRemove(instance.InstanceId, out var process))
        {
            await StopAsync(process, cancellationToken);
        }
        var directory = InstanceDirectory(instance);
        Directory.CreateDirectory(directory);
        using var tearDown = Run(["--node-name", instance.NodeName, "--tear-down"], Path.Combine(directory, "tear-down.log"));
        await tearDown.WaitForExitAsync(cancellationToken);
        if (tearDown.ExitCode != 0)
        {
            throw new InvalidOperationException($"berth agent --tear-down for {instance.InstanceId} exited {tearDown.ExitCode}; see {directory}/tear-down.log");
        }
        Directory.Delete(directory, recursive: true);
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The server stops: so do its agents, leaving their pods running for the next start to adopt.</summary>
    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        LogStopping(logger, _agents.Count);
        await Task.WhenAll(_agents.Values.Select(p => StopAsync(p, cancellationToken)));
        _agents.Clear();
    }

    private Process Run(IReadOnlyList<string> agentArguments, string logPath)
    {
        // through sh, so the agent writes its log itself and no pipe ties it to the server's reading
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >>\"$BERTH_AGENT_LOG\" 2>&1");
        start.ArgumentList.Add("sh");
        foreach (var part in options.BerthCommand)
        {
            start.ArgumentList.Add(part);
        }
        start.ArgumentList.Add("agent");
        foreach (var argument in agentArguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.ArgumentList.Add("--runtime");
        start.ArgumentList.Add(options.Runtime);
        start.Environment["BERTH_DATA_DIR"] = options.DataDirectory;
        start.Environment["BERTH_AGENT_LOG"] = logPath;
        return Process.Start(start) ?? throw new InvalidOperationException("berth agent did not start");
    }

    private static async Task StopAsync(Process process, CancellationToken cancellationToken)
    {
        using (process)
        {
            if (process.HasExited)
            {
                return;
            }
            _ = Kill(process.Id, SigTerm);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_stopTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private string InstanceDirectory(Ec2Instance instance) => Path.Combine(options.DataDirectory, "instances", instance.InstanceId);

    // DllImport rather than LibraryImport: two int arguments need no marshalling code, and so no unsafe blocks
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information, Message = "Stopping {Count} node agents with the server")]
    private static partial void LogStopping(ILogger logger, int count);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Instance {InstanceId} boots as node {Node} (agent pid {Pid})")]
    private static partial void LogStarted(ILogger logger, string instanceId, string node, int pid);
}
