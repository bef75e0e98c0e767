namespace Berth.Agent.Runtime;

/// <summary>A pod's sandbox: whose it is, and where on the pod network it is attached (none: the host's network).</summary>
public sealed record SandboxConfig(string PodUid, string PodNamespace, string PodName, int Attempt, string Hostname, PodNetworkAttachment? Network = null,
    PodDnsSettings? Dns = null);

/// <summary>A pod's <c>resolv.conf</c>: its nameservers, search domains and options.</summary>
public sealed record PodDnsSettings(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options);

/// <summary>The bridge network a cluster's pods share on this machine: its name, its subnet (the cluster's pod CIDR) and gateway.</summary>
public sealed record PodNetworkSpec(string Name, string Subnet, string Gateway, string Bridge);

/// <summary>A sandbox's place on a pod network: the network, and the address the agent chose from its node's pod CIDR.</summary>
public sealed record PodNetworkAttachment(PodNetworkSpec Network, string Ip);

/// <summary>A pod's sandbox as the runtime has it: its address, and the network it joined (none for the host's).</summary>
public sealed record SandboxStatus(string Id, string PodUid, int Attempt, bool Running, string? Ip, DateTimeOffset CreatedAt, string? Network = null);

/// <summary>A directory of the host mounted into a container.</summary>
public sealed record Mount(string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>
/// One container to create: what it runs, its environment and mounts, and its cgroup limits. <paramref name="Attempt"/>
/// counts the container's restarts, as the kubelet's restart count.
/// </summary>
public sealed record ContainerConfig(
    string PodUid,
    string PodNamespace,
    string PodName,
    string Name,
    int Attempt,
    string Image,
    IReadOnlyList<string>? Entrypoint,
    IReadOnlyList<string>? Args,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    string? WorkingDir,
    IReadOnlyList<Mount> Mounts,
    ContainerResources Resources,
    bool Tty,
    bool Stdin,
    long? RunAsUser,
    long? RunAsGroup);

/// <summary>
/// A container's cgroup settings: <paramref name="CpuQuotaMillicores"/> from the CPU limit, <paramref name="CpuShares"/>
/// from the CPU request, <paramref name="MemoryLimitBytes"/> from the memory limit.
/// </summary>
public sealed record ContainerResources(long? CpuQuotaMillicores, long CpuShares, long? MemoryLimitBytes);

public enum ContainerState
{
    Created,
    Running,
    Exited,
}

/// <summary>A container as the runtime has it, with the labels the agent gave it read back.</summary>
public sealed record ContainerStatus(
    string Id,
    string SandboxId,
    string PodUid,
    string Name,
    int Attempt,
    ContainerState State,
    string Image,
    string ImageId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int ExitCode,
    bool OomKilled,
    string? Error);

/// <summary>
/// A container's resource usage at <paramref name="Timestamp"/>: CPU nanoseconds used since it started, and its memory
/// working set (usage less the inactive page cache, which the kernel can take back), in bytes.
/// </summary>
public sealed record ContainerUsage(DateTimeOffset Timestamp, ulong CpuUsageNanoseconds, ulong WorkingSetBytes);

/// <summary>User name and password for a registry, from a pod's image pull secrets.</summary>
public sealed record RegistryCredential(string Registry, string Username, string Password);

public sealed record ExecResult(int ExitCode, string Output);

/// <summary>The runtime failed to do what was asked; the message says why, as the runtime put it.</summary>
public class RuntimeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An image could not be pulled: absent, unreachable, or refused.</summary>
public sealed class ImagePullException(string message, Exception? inner = null) : RuntimeException(message, inner);

/// <summary>
/// Which of a container's log to read, as <c>kubectl logs</c> asks: from <paramref name="Since"/> on, the last
/// <paramref name="TailLines"/> lines, each line prefixed with its time, and whether to follow it while it runs.
/// </summary>
public sealed record LogOptions(bool Follow, long? TailLines, DateTimeOffset? Since, bool Timestamps);

/// <summary>Which stream of a process some output came from.</summary>
public enum OutputStream
{
    Stdout,
    Stderr,
}

/// <summary>A command running in a container with its streams attached, as <c>kubectl exec</c> has it.</summary>
public interface IExecSession : IAsyncDisposable
{
    /// <summary>Reads the next output into <paramref name="buffer"/>; a count of 0 means the command closed its output.</summary>
    Task<(OutputStream Stream, int Count)> ReadAsync(byte[] buffer, CancellationToken cancellationToken);

    Task WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Closes the command's standard input, as end of file.</summary>
    void CloseInput();

    /// <summary>Resizes the command's terminal.</summary>
    Task ResizeAsync(int width, int height, CancellationToken cancellationToken);

    /// <summary>The command's exit code, once its output has closed.</summary>
    Task<int> ExitCodeAsync(CancellationToken cancellationToken);
}

/// <summary>An image the runtime holds: every name it is known by (tags and digests) and its size.</summary>
public sealed record ImageSummary(IReadOnlyList<string> Names, long SizeBytes);
