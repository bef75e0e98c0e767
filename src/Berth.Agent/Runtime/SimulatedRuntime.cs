using System.Collections.Concurrent;
using System.Security.Cryptography;
using k8s.Models;

namespace Berth.Agent.Runtime;

/// <summary>
/// Pods that run without containers, as kwok's and kubemark's hollow nodes run them: every container starts at once
/// and runs until stopped, so thousands of nodes fit in one process for scale tests. The pod's address is the node's.
/// </summary>
public sealed class SimulatedRuntime(AgentOptions options, TimeProvider time) : IContainerRuntime
{
    private readonly ConcurrentDictionary<string, RunningPod> _pods = new(StringComparer.Ordinal);

    public string Version => "simulated://1.0.0";

    public Task<RunningPod> StartPodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        return Task.FromResult(_pods.GetOrAdd(pod.Metadata.Uid, uid => new RunningPod(uid, options.Address.ToString(),
            [.. (pod.Spec.Containers ?? []).Select(c => new RunningContainer(c.Name, c.Image, c.Image,
                "simulated://" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), started))])));
    }

    public Task StopPodAsync(string uid, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        _pods.TryRemove(uid, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, RunningPod>> ListPodsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, RunningPod>>(new Dictionary<string, RunningPod>(_pods, StringComparer.Ordinal));
}
