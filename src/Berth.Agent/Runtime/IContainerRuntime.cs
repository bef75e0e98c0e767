namespace Berth.Agent.Runtime;

/// <summary>
/// How the agent runs containers, shaped as the kubelet's Container Runtime Interface: pod sandboxes (the
/// network namespace a pod's containers share), images, and containers created, started, stopped and removed one
/// by one. What to run when is the agent's to decide; the runtime only does it and reports what it has. The
/// Docker Engine API (Podman, Docker) and the simulated runtime sit behind it.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>The runtime's name and version, as the Node's <c>containerRuntimeVersion</c> shows it (after <see cref="ConnectAsync"/>).</summary>
    string Version { get; }

    /// <summary>Reaches the runtime and prepares what sandboxes need; fails with <see cref="RuntimeException"/> when it cannot.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Makes the bridge network the node's pods join, unless it exists (with that subnet); the CNI plugin's setup.</summary>
    Task EnsureNetworkAsync(PodNetworkSpec network, CancellationToken cancellationToken);

    /// <summary>
    /// Removes those of the named pod networks that no container uses any more (those in use stay, and any other
    /// installation's); answers the names of those removed.
    /// </summary>
    Task<IReadOnlyList<string>> RemoveUnusedNetworksAsync(IReadOnlyCollection<string> networks, CancellationToken cancellationToken);

    /// <summary>Creates and starts a pod's sandbox.</summary>
    Task<SandboxStatus> RunSandboxAsync(SandboxConfig config, CancellationToken cancellationToken);

    /// <summary>Stops a sandbox: the pod loses its network; its containers' records stay. Nothing when it is stopped or gone.</summary>
    Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Removes a sandbox, whose containers must have been removed first; nothing when it is gone.</summary>
    Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>This node's sandboxes, of one pod or of all.</summary>
    Task<IReadOnlyList<SandboxStatus>> ListSandboxesAsync(string? podUid, CancellationToken cancellationToken);

    /// <summary>The image's id when the image is present, else null.</summary>
    Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken);

    /// <summary>The images the runtime holds, as the Node's <c>status.images</c> reports them.</summary>
    Task<IReadOnlyList<ImageSummary>> ListImagesAsync(CancellationToken cancellationToken);

    /// <summary>Pulls an image, trying each credential in turn (none for a public image); returns its id. Fails with <see cref="ImagePullException"/>.</summary>
    Task<string> PullImageAsync(string image, IReadOnlyList<RegistryCredential> credentials, CancellationToken cancellationToken);

    /// <summary>Creates a container in a sandbox; returns its id.</summary>
    Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, CancellationToken cancellationToken);

    Task StartContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Sends the container SIGTERM, then SIGKILL once <paramref name="gracePeriod"/> has passed; nothing when it is not running.</summary>
    Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>Removes a stopped container; nothing when it is gone.</summary>
    Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>This node's containers, of one pod or of all, running and exited.</summary>
    Task<IReadOnlyList<ContainerStatus>> ListContainersAsync(string? podUid, CancellationToken cancellationToken);

    /// <summary>Runs a command in a running container and waits for it, at most <paramref name="timeout"/> (an exec probe).</summary>
    Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Starts a command in a running container with its streams attached (<c>kubectl exec</c>).</summary>
    Task<IExecSession> ExecAttachedAsync(string containerId, IReadOnlyList<string> command, bool tty, bool stdin, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a container's log, stdout and stderr interleaved as written, to <paramref name="destination"/>; when
    /// following, until the container stops or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task WriteLogAsync(string containerId, LogOptions options, Stream destination, CancellationToken cancellationToken);

    /// <summary>
    /// A running container's resource usage now, as cAdvisor reads it for the kubelet: the CPU time it has used since
    /// it started (cumulative, so a rate needs two readings) and its memory working set. Null when it is not running.
    /// </summary>
    Task<ContainerUsage?> ContainerUsageAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Connects to <paramref name="port"/> on the sandbox's own localhost, as its containers would (<c>kubectl
    /// port-forward</c>). Fails with <see cref="RuntimeException"/> saying why when nothing answers there.
    /// </summary>
    Task<System.Net.Sockets.Socket> ConnectToPortAsync(string sandboxId, int port, CancellationToken cancellationToken);
}
