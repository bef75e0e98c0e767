using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Berth.Agent.Runtime;

/// <summary>
/// Containers that are only records, as kwok's and kubemark's hollow nodes run them: a started container runs until
/// stopped, every image is present, and every exec succeeds, so thousands of nodes fit in one process for scale
/// tests. Pods take the address the agent gives them from the node's pod CIDR (no network is made), else the node's. A container uses the CPU and memory its environment names in
/// <see cref="CpuUsageVariable"/> and <see cref="MemoryUsageVariable"/> (quantities such as <c>250m</c> and <c>64Mi</c>),
/// else none, so autoscaling can be tested without load.
/// </summary>
public sealed class SimulatedRuntime(AgentOptions options, TimeProvider time) : IContainerRuntime
{
    private readonly ConcurrentDictionary<string, SandboxStatus> _sandboxes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ContainerStatus> _containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (decimal Cores, ulong Bytes)> _usage = new(StringComparer.Ordinal);

    /// <summary>The environment variable whose quantity is the CPU a simulated container keeps busy, in cores.</summary>
    public const string CpuUsageVariable = "BERTH_SIMULATED_CPU";

    /// <summary>The environment variable whose quantity is a simulated container's memory working set, in bytes.</summary>
    public const string MemoryUsageVariable = "BERTH_SIMULATED_MEMORY";

    public string Version => "simulated://1.0.0";

    public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EnsureNetworkAsync(PodNetworkSpec network, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<string>> RemoveUnusedNetworksAsync(IReadOnlyCollection<string> networks, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public Task<SandboxStatus> RunSandboxAsync(SandboxConfig config, CancellationToken cancellationToken)
    {
        var sandbox = new SandboxStatus(NewId(), config.PodUid, config.Attempt, true, config.Network?.Ip ?? options.Address.ToString(), time.GetUtcNow());
        _sandboxes[sandbox.Id] = sandbox;
        return Task.FromResult(sandbox);
    }

    public Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (_sandboxes.TryGetValue(sandboxId, out var sandbox))
        {
            _sandboxes[sandboxId] = sandbox with { Running = false };
        }
        return Task.CompletedTask;
    }

    public Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        _sandboxes.TryRemove(sandboxId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SandboxStatus>> ListSandboxesAsync(string? podUid, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SandboxStatus>>([.. _sandboxes.Values.Where(s => podUid is null || s.PodUid == podUid)]);

    public Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken) => Task.FromResult<string?>(ImageId(image));

    /// <summary>The images the options name (none unless configured): every image is present, but none has a size.</summary>
    public Task<IReadOnlyList<ImageSummary>> ListImagesAsync(CancellationToken cancellationToken) => Task.FromResult(options.SimulatedImages);

    public Task<string> PullImageAsync(string image, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken) =>
        Task.FromResult(ImageId(image));

    public Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, CancellationToken cancellationToken)
    {
        var container = new ContainerStatus(NewId(), sandboxId, config.PodUid, config.Name, config.Attempt, ContainerState.Created, config.Image, ImageId(config.Image),
            time.GetUtcNow(), null, null, 0, false, null);
        _containers[container.Id] = container;
        _usage[container.Id] = (UsageOf(config, CpuUsageVariable), (ulong)UsageOf(config, MemoryUsageVariable));
        return Task.FromResult(container.Id);
    }

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        Update(containerId, c => c with { State = ContainerState.Running, StartedAt = time.GetUtcNow() });
        return Task.CompletedTask;
    }

    public Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        // a simulated process exits at SIGTERM, as a well-behaved one does
        Update(containerId, c => c.State == ContainerState.Running ? c with { State = ContainerState.Exited, FinishedAt = time.GetUtcNow(), ExitCode = 143 } : c);
        return Task.CompletedTask;
    }

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        _containers.TryRemove(containerId, out _);
        _usage.TryRemove(containerId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(string? podUid, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ContainerStatus>>([.. _containers.Values.Where(c => podUid is null || c.PodUid == podUid)]);

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.FromResult(new ExecResult(0, ""));

    public Task<IExecSession> ExecAttachedAsync(string containerId, IReadOnlyList<string> command, bool tty, bool stdin, CancellationToken cancellationToken) =>
        throw new RuntimeException("the simulated runtime runs no processes to exec into");

    /// <summary>A simulated container writes nothing.</summary>
    public Task WriteLogAsync(string containerId, LogOptions options, Stream destination, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>CPU time as if the container had kept its cores busy since it started.</summary>
    public Task<ContainerUsage?> ContainerUsageAsync(string containerId, CancellationToken cancellationToken)
    {
        if (!_containers.TryGetValue(containerId, out var container) || container is not { State: ContainerState.Running, StartedAt: { } started }
            || !_usage.TryGetValue(containerId, out var usage))
        {
            return Task.FromResult<ContainerUsage?>(null);
        }
        var now = time.GetUtcNow();
        var nanoseconds = (ulong)Math.Max(0, (decimal)(now - started).Ticks * 100 * usage.Cores);
        return Task.FromResult<ContainerUsage?>(new ContainerUsage(now, nanoseconds, usage.Bytes));
    }

    public Task<System.Net.Sockets.Socket> ConnectToPortAsync(string sandboxId, int port, CancellationToken cancellationToken) =>
        throw new RuntimeException($"failed to connect to localhost:{port} inside namespace \"{sandboxId}\": the simulated runtime runs no processes");

    private void Update(string id, Func<ContainerStatus, ContainerStatus> change)
    {
        if (!_containers.TryGetValue(id, out var container))
        {
            throw new RuntimeException($"no container {id}");
        }
        _containers[id] = change(container);
    }

    private static decimal UsageOf(ContainerConfig config, string variable)
    {
        var text = config.Environment.LastOrDefault(e => e.Key == variable).Value;
        try
        {
            return string.IsNullOrEmpty(text) ? 0 : Math.Max(0, new k8s.Models.ResourceQuantity(text).ToDecimal());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return 0;
        }
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string ImageId(string image) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image)));
}
