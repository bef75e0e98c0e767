using System.Collections.Concurrent;
using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Probes;

/// <summary>
/// The probes of the running containers, as the kubelet's probe manager: one worker per container and probe kind,
/// probing every <c>periodSeconds</c> after <c>initialDelaySeconds</c>, counting successes and failures against the
/// thresholds. A container is started once its startup probe succeeds (at once without one), ready while its
/// readiness probe succeeds (once started, without one), and unhealthy once its liveness probe has failed
/// <c>failureThreshold</c> times in a row; a change of any of these wakes the pod's worker.
/// </summary>
internal sealed class ProbeManager(Prober prober, TimeProvider time)
{
    private enum Kind
    {
        Startup,
        Readiness,
        Liveness,
    }

    private sealed class Worker(CancellationTokenSource stop)
    {
        public CancellationTokenSource Stop { get; } = stop;

        public bool Result { get; set; }

        /// <summary>Failed <c>failureThreshold</c> times in a row: for startup and liveness probes, the container is to be killed.</summary>
        public bool Failed { get; set; }
    }

    /// <summary>The workers by container id and kind.</summary>
    private readonly ConcurrentDictionary<(string ContainerId, Kind Kind), Worker> _workers = new();

    /// <summary>
    /// Starts workers for the pod's running containers that have probes, and stops those of containers that no longer
    /// run. <paramref name="changed"/> is called when a result changes; <paramref name="failed"/> with each failure's message.
    /// </summary>
    public void Sync(V1Pod pod, string? podIp, IReadOnlyList<ContainerStatus> containers, Action changed, Action<string, string> failed)
    {
        var running = containers.Where(c => c.State == ContainerState.Running).ToDictionary(c => c.Id, StringComparer.Ordinal);
        foreach (var key in _workers.Keys.Where(k => containers.Any(c => c.Id == k.ContainerId) && !running.ContainsKey(k.ContainerId)))
        {
            Remove(key);
        }
        foreach (var status in running.Values)
        {
            var spec = pod.Spec.Containers.FirstOrDefault(c => c.Name == status.Name);
            if (spec is null)
            {
                continue; // init containers have no probes
            }
            Start(spec, status.Id, Kind.Startup, spec.StartupProbe, podIp, changed, failed);
            Start(spec, status.Id, Kind.Readiness, spec.ReadinessProbe, podIp, changed, failed);
            Start(spec, status.Id, Kind.Liveness, spec.LivenessProbe, podIp, changed, failed);
        }
    }

    /// <summary>Whether the container has started: its startup probe succeeded, or it has none.</summary>
    public bool Started(V1Container spec, string containerId) =>
        spec.StartupProbe is null || _workers.TryGetValue((containerId, Kind.Startup), out var worker) && worker.Result;

    /// <summary>Whether the container is ready: started, and its readiness probe succeeds, or it has none.</summary>
    public bool Ready(V1Container spec, string containerId) =>
        Started(spec, containerId) && (spec.ReadinessProbe is null || _workers.TryGetValue((containerId, Kind.Readiness), out var worker) && worker.Result);

    /// <summary>Whether the container's liveness or startup probe has failed past its threshold: the container is to be restarted.</summary>
    public bool Unhealthy(string containerId) =>
        _workers.TryGetValue((containerId, Kind.Liveness), out var liveness) && liveness.Failed
        || _workers.TryGetValue((containerId, Kind.Startup), out var startup) && startup.Failed;

    /// <summary>Stops every worker of the given containers.</summary>
    public void Forget(IEnumerable<string> containerIds)
    {
        var ids = containerIds.ToHashSet(StringComparer.Ordinal);
        foreach (var key in _workers.Keys.Where(k => ids.Contains(k.ContainerId)))
        {
            Remove(key);
        }
    }

    private void Remove((string, Kind) key)
    {
        if (_workers.TryRemove(key, out var worker))
        {
            worker.Stop.Cancel();
            worker.Stop.Dispose();
        }
    }

    private void Start(V1Container spec, string containerId, Kind kind, V1Probe? probe, string? podIp, Action changed, Action<string, string> failed)
    {
        if (probe is null || _workers.ContainsKey((containerId, kind)))
        {
            return;
        }
        // liveness holds until proven failed; startup and readiness hold once proven
        var worker = new Worker(new CancellationTokenSource()) { Result = kind == Kind.Liveness };
        if (_workers.TryAdd((containerId, kind), worker))
        {
            _ = RunAsync(spec, containerId, kind, probe, podIp, worker, changed, failed);
        }
    }

    private async Task RunAsync(V1Container spec, string containerId, Kind kind, V1Probe probe, string? podIp, Worker worker, Action changed,
        Action<string, string> failed)
    {
        var token = worker.Stop.Token;
        var period = TimeSpan.FromSeconds(Math.Max(1, probe.PeriodSeconds ?? 10));
        var successThreshold = Math.Max(1, probe.SuccessThreshold ?? 1);
        var failureThreshold = Math.Max(1, probe.FailureThreshold ?? 3);
        int successes = 0, failures = 0;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0)), time, token);
            while (!token.IsCancellationRequested)
            {
                // liveness and readiness wait for the startup probe, as the kubelet's do
                if (kind == Kind.Startup || Started(spec, containerId))
                {
                    var result = await prober.ProbeAsync(probe, spec, containerId, podIp, token);
                    if (result.Success)
                    {
                        (successes, failures) = (successes + 1, 0);
                    }
                    else
                    {
                        (successes, failures) = (0, failures + 1);
                        failed(spec.Name, $"{kind} probe failed: {result.Message}");
                    }
                    var verdict = successes >= successThreshold ? true : failures >= failureThreshold ? false : worker.Result;
                    var failedOut = kind != Kind.Readiness && failures >= failureThreshold;
                    if (verdict != worker.Result || failedOut != worker.Failed)
                    {
                        (worker.Result, worker.Failed) = (verdict, failedOut);
                        changed();
                    }
                    if (kind == Kind.Startup && verdict)
                    {
                        return; // a started container stays started
                    }
                }
                await Task.Delay(period, time, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the container stopped
        }
    }
}
