using k8s.Models;

namespace Berth.Agent.Runtime;

/// <summary>One container as the runtime runs it.</summary>
public sealed record RunningContainer(string Name, string Image, string ImageId, string ContainerId, DateTimeOffset StartedAt);

/// <summary>A pod as the runtime runs it: its address and its containers.</summary>
public sealed record RunningPod(string Uid, string PodIp, IReadOnlyList<RunningContainer> Containers);

/// <summary>
/// How the agent runs pods, as the kubelet's container runtime interface: start a pod's containers, stop them, and
/// say which pods run (so a restarted agent adopts them rather than starting them twice). The simulated runtime
/// and the Docker Engine API (Podman, Docker) sit behind it.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>The runtime's name and version, as the Node's <c>containerRuntimeVersion</c> shows it.</summary>
    string Version { get; }

    /// <summary>Starts the pod's containers, or returns them when they already run.</summary>
    Task<RunningPod> StartPodAsync(V1Pod pod, CancellationToken cancellationToken);

    /// <summary>Stops and removes the pod's containers, giving them <paramref name="gracePeriod"/> to exit; nothing when none run.</summary>
    Task StopPodAsync(string uid, TimeSpan gracePeriod, CancellationToken cancellationToken);

    /// <summary>The pods that run now, by uid.</summary>
    Task<IReadOnlyDictionary<string, RunningPod>> ListPodsAsync(CancellationToken cancellationToken);
}
