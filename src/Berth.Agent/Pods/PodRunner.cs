using System.Collections.Concurrent;
using System.Globalization;
using Berth.Agent.Client;
using Berth.Agent.Probes;
using Berth.Agent.Runtime;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Pods;

/// <summary>
/// Makes what the runtime runs of one pod match its spec, as the kubelet's <c>SyncPod</c>: the sandbox, the init
/// containers in order, the containers with their images, environment, volumes and limits, restarts under the
/// restart policy with exponential back-off, and the kills the probes ask for; then says the pod's status.
/// A step that fails leaves the container waiting with the kubelet's reason (ErrImagePull, ImagePullBackOff,
/// CrashLoopBackOff, CreateContainerConfigError, RunContainerError) and an event.
/// </summary>
internal sealed partial class PodRunner(
    ApiClient client,
    AgentOptions options,
    IContainerRuntime runtime,
    Network.PodNetwork network,
    PodVolumes volumes,
    ProbeManager probes,
    Prober prober,
    PodEvents events,
    TimeProvider time,
    ILogger<PodRunner> logger)
{
    /// <summary>How soon a pod whose configuration could not be made (a missing ConfigMap, a failed mount) is tried again.</summary>
    private static readonly TimeSpan s_configRetry = TimeSpan.FromSeconds(5);

    /// <summary>How soon a pod whose image pull failed is synced again, to show the back-off that follows.</summary>
    private static readonly TimeSpan s_pullFailedResync = TimeSpan.FromSeconds(1);

    private readonly BackOff _crashBackOff = BackOff.Kubelet(time);
    private readonly BackOff _pullBackOff = BackOff.Kubelet(time);

    /// <summary>Why each pod's containers wait, by pod uid and container name, as the kubelet's reason cache.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, WaitingReason>> _waiting = new(StringComparer.Ordinal);

    private string RuntimeScheme => runtime.Version.Split("://", 2)[0];

    /// <summary>One sync of a running pod; returns its status and, when a back-off or retry is pending, how soon to sync it again.</summary>
    public async Task<(V1PodStatus Status, TimeSpan? SyncAgainIn)> SyncAsync(V1Pod pod, Action wake, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var waiting = _waiting.GetOrAdd(uid, _ => new(StringComparer.Ordinal));
        var sandboxes = await runtime.ListSandboxesAsync(uid, cancellationToken);
        var containers = await runtime.ListContainersAsync(uid, cancellationToken);
        var unhealthy = containers.Where(c => c.State == ContainerState.Running && probes.Unhealthy(c.Id)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var actions = PodActions.Compute(pod, sandboxes, containers, unhealthy);
        LogActions(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, sandboxes.Count, containers.Count, actions);
        TimeSpan? again = null;
        var changed = false;
        if (actions.KillPod)
        {
            await KillContainersAsync(pod, containers.Where(c => c.State == ContainerState.Running), GracePeriod(pod), cancellationToken);
            foreach (var old in sandboxes.Where(s => s.Running))
            {
                await runtime.StopSandboxAsync(old.Id, cancellationToken);
            }
            changed = true;
        }
        var sandbox = actions.Sandbox;
        Task<StartContext?>? preparing = null;
        if (actions.NewSandboxAttempt is { } attempt)
        {
            if (attempt > 0)
            {
                events.Normal(pod, null, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
            }
            // the volumes and pull credentials are made while the engine makes the sandbox: they need nothing of it
            // (the kubelet mounts a pod's volumes before it asks for the sandbox)
            preparing = actions.Start.Count > 0 ? PrepareAsync(pod, cancellationToken) : null;
            try
            {
                sandbox = await RunSandboxAsync(pod, attempt, cancellationToken);
            }
            catch when (preparing is not null)
            {
                await preparing; // the next sync prepares again: never two at once
                throw;
            }
            changed = true;
        }
        foreach (var container in actions.Kill)
        {
            var spec = pod.Spec.Containers.First(c => c.Name == container.Name);
            events.Normal(pod, container.Name, "Killing", $"Container {container.Name} failed {(spec.StartupProbe is not null && !probes.Started(spec, container.Id) ? "startup" : "liveness")} probe, will be restarted");
            await KillContainersAsync(pod, [container], GracePeriod(pod), cancellationToken);
            changed = true;
        }
        if (sandbox is not null && actions.Start.Count > 0)
        {
            var context = await (preparing ?? PrepareAsync(pod, cancellationToken));
            if (context is null)
            {
                again = s_configRetry;
            }
            else
            {
                foreach (var start in actions.Start)
                {
                    // a container just killed for its probe is restarted from its exited state, as any other
                    var previous = actions.Kill.Any(k => k.Name == start.Spec.Name) ? null : start.Previous;
                    var retry = await StartContainerAsync(pod, sandbox, start with { Previous = previous }, context, containers, waiting, cancellationToken);
                    again = Min(again, retry);
                    changed = true;
                }
            }
        }
        if (changed)
        {
            containers = await runtime.ListContainersAsync(uid, cancellationToken);
            sandboxes = await runtime.ListSandboxesAsync(uid, cancellationToken);
            sandbox = sandboxes.Where(s => s.Running).MaxBy(s => s.Attempt);
            // a stopped sandbox goes once none of the containers kept for their last state is in it
            foreach (var old in sandboxes.Where(s => !s.Running && !containers.Any(c => c.SandboxId == s.Id)))
            {
                await runtime.RemoveSandboxAsync(old.Id, cancellationToken);
            }
        }
        probes.Sync(pod, sandbox?.Ip, containers, wake, (container, message) => events.Warning(pod, container, "Unhealthy", message));
        var specs = pod.Spec.Containers.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var latest = PodContainers.Latest(containers);
        var status = PodStatuses.Build(new PodStatusInputs(pod, sandbox, containers, waiting,
            name => specs.TryGetValue(name, out var spec) && latest.TryGetValue(name, out var c) && probes.Ready(spec, c.Id),
            name => !specs.TryGetValue(name, out var spec) || latest.TryGetValue(name, out var c) && probes.Started(spec, c.Id),
            options.Address.ToString(), RuntimeScheme, time.GetUtcNow().UtcDateTime));
        return (status, again);
    }

    /// <summary>
    /// Stops a pod for good: runs the preStop hooks, gives the containers <paramref name="gracePeriod"/> to exit,
    /// then removes them, the sandbox and the pod's volumes. <paramref name="pod"/> is null for a pod the server no
    /// longer has (its hooks cannot be known).
    /// </summary>
    public async Task TerminateAsync(string uid, V1Pod? pod, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var containers = await runtime.ListContainersAsync(uid, cancellationToken);
        var running = containers.Where(c => c.State == ContainerState.Running).ToList();
        if (pod is not null)
        {
            await KillContainersAsync(pod, running, gracePeriod, cancellationToken);
        }
        else
        {
            await Task.WhenAll(running.Select(c => runtime.StopContainerAsync(c.Id, gracePeriod, cancellationToken)));
        }
        probes.Forget(containers.Select(c => c.Id));
        foreach (var container in containers)
        {
            await runtime.RemoveContainerAsync(container.Id, cancellationToken);
        }
        foreach (var sandbox in await runtime.ListSandboxesAsync(uid, cancellationToken))
        {
            await runtime.RemoveSandboxAsync(sandbox.Id, cancellationToken);
        }
        volumes.TearDown(uid);
        _waiting.TryRemove(uid, out _);
        _crashBackOff.Forget(key => key.StartsWith(uid + "/", StringComparison.Ordinal));
        _pullBackOff.Forget(key => key.StartsWith(uid + "/", StringComparison.Ordinal));
        events.Forget(uid);
    }

    /// <summary>The uids of the pods the runtime has anything of on this node.</summary>
    public async Task<IReadOnlySet<string>> PodsInRuntimeAsync(CancellationToken cancellationToken)
    {
        var uids = new HashSet<string>(StringComparer.Ordinal);
        uids.UnionWith((await runtime.ListSandboxesAsync(null, cancellationToken)).Select(s => s.PodUid));
        uids.UnionWith((await runtime.ListContainersAsync(null, cancellationToken)).Select(c => c.PodUid));
        return uids;
    }

    public static TimeSpan GracePeriod(V1Pod pod) =>
        TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);

    /// <summary>Starts one container, or says why it waits; returns how soon to try again when it waits on a back-off or a retry.</summary>
    private async Task<TimeSpan?> StartContainerAsync(V1Pod pod, SandboxStatus sandbox, ContainerStart start, StartContext context,
        IReadOnlyList<ContainerStatus> containers, ConcurrentDictionary<string, WaitingReason> waiting, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var spec = start.Spec;
        var key = $"{uid}/{spec.Name}";
        var podRef = $"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({uid})";
        if (start.Previous is { State: ContainerState.Exited } previous)
        {
            var exitedAt = previous.FinishedAt ?? previous.CreatedAt;
            if (_crashBackOff.InBackOffSince(key, exitedAt, out var remaining))
            {
                waiting[spec.Name] = new WaitingReason("CrashLoopBackOff",
                    $"back-off {Seconds(_crashBackOff.Delay(key))} restarting failed container={spec.Name} pod={podRef}");
                events.Warning(pod, spec.Name, "BackOff", $"Back-off restarting failed container {spec.Name} in pod {podRef}");
                return remaining;
            }
            _crashBackOff.Next(key, exitedAt);
        }
        if (await EnsureImageAsync(pod, spec, context.Credentials, waiting, cancellationToken) is { } pullRetry)
        {
            return pullRetry;
        }
        ContainerConfig config;
        try
        {
            config = await ConfigAsync(WithAddresses(pod, sandbox), spec, start.Attempt, context, cancellationToken);
        }
        catch (ContainerConfigException e)
        {
            waiting[spec.Name] = new WaitingReason("CreateContainerConfigError", e.Message);
            events.Warning(pod, spec.Name, "Failed", "Error: " + e.Message);
            return s_configRetry;
        }
        // the runtime keeps one exited attempt of each container, for its last state and `kubectl logs --previous`; the
        // sync's list says which: this pod's worker alone makes its containers, and an exited one stays exited
        foreach (var old in containers
            .Where(c => c.Name == spec.Name && c.State != ContainerState.Running && (c.Attempt < start.Attempt - 1 || c.Attempt == start.Attempt)))
        {
            await runtime.RemoveContainerAsync(old.Id, cancellationToken);
        }
        string id;
        try
        {
            id = await runtime.CreateContainerAsync(sandbox.Id, config, cancellationToken);
        }
        catch (RuntimeException e)
        {
            waiting[spec.Name] = new WaitingReason("CreateContainerError", e.Message);
            events.Warning(pod, spec.Name, "Failed", "Error: " + e.Message);
            return s_configRetry;
        }
        events.Normal(pod, spec.Name, "Created", $"Created container {spec.Name}");
        try
        {
            await runtime.StartContainerAsync(id, cancellationToken);
        }
        catch (RuntimeException e)
        {
            // the container stays, exited with the runtime's error: the next sync restarts it under the back-off
            waiting.TryRemove(spec.Name, out _);
            events.Warning(pod, spec.Name, "Failed", "Error: " + e.Message);
            LogStartFailed(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, spec.Name, e.Message);
            return TimeSpan.FromSeconds(1);
        }
        waiting.TryRemove(spec.Name, out _);
        events.Normal(pod, spec.Name, "Started", $"Started container {spec.Name}");
        return null;
    }

    private async Task<ContainerConfig> ConfigAsync(V1Pod pod, V1Container spec, int attempt, StartContext context, CancellationToken cancellationToken)
    {
        var environment = await ContainerEnvironment.ResolveAsync(pod, spec, context.Objects, options.Address.ToString(), options.Allocatable, cancellationToken);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            values[name] = value;
        }
        string? Lookup(string name) => values.GetValueOrDefault(name);
        var security = spec.SecurityContext;
        var podSecurity = pod.Spec.SecurityContext;
        return new ContainerConfig(pod.Metadata.Uid, pod.Metadata.NamespaceProperty, pod.Metadata.Name, spec.Name, attempt, spec.Image,
            spec.Command is { Count: > 0 } command ? [.. command.Select(c => Expansion.Expand(c, Lookup))] : null,
            spec.Args is { Count: > 0 } args ? [.. args.Select(a => Expansion.Expand(a, Lookup))] : spec.Command is { Count: > 0 } ? [] : null,
            environment, string.IsNullOrEmpty(spec.WorkingDir) ? null : spec.WorkingDir,
            PodVolumes.MountsFor(spec, context.Volumes), Resources(spec), spec.Tty == true, spec.Stdin == true,
            security?.RunAsUser ?? podSecurity?.RunAsUser, security?.RunAsGroup ?? podSecurity?.RunAsGroup);
    }

    /// <summary>The container's cgroup settings from its resources, as the kubelet converts them.</summary>
    private static ContainerResources Resources(V1Container spec)
    {
        long? Millis(IDictionary<string, ResourceQuantity>? set, string name) =>
            set?.TryGetValue(name, out var q) == true ? (long)Math.Ceiling(q.ToDecimal() * 1000) : null;
        long? Bytes(IDictionary<string, ResourceQuantity>? set, string name) =>
            set?.TryGetValue(name, out var q) == true ? (long)q.ToDecimal() : null;
        var limits = spec.Resources?.Limits;
        var requests = spec.Resources?.Requests;
        var requestMillis = Millis(requests, "cpu") ?? Millis(limits, "cpu");
        var shares = requestMillis is { } m ? Math.Max(2, m * 1024 / 1000) : 2;
        return new ContainerResources(Millis(limits, "cpu"), shares, Bytes(limits, "memory"));
    }

    /// <summary>Stops containers, running each one's preStop hook first, all within the grace period.</summary>
    private async Task KillContainersAsync(V1Pod pod, IEnumerable<ContainerStatus> containers, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + gracePeriod;
        await Task.WhenAll(containers.Select(async container =>
        {
            var spec = pod.Spec.Containers.Concat(pod.Spec.InitContainers ?? []).FirstOrDefault(c => c.Name == container.Name);
            if (spec?.Lifecycle?.PreStop is { } hook)
            {
                await RunPreStopAsync(pod, spec, container, hook, gracePeriod, cancellationToken);
            }
            events.Normal(pod, container.Name, "Killing", $"Stopping container {container.Name}");
            var left = deadline - time.GetUtcNow();
            await runtime.StopContainerAsync(container.Id, left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken);
        }));
    }

    /// <summary>Runs a preStop hook within the grace period; a hook that fails or overruns is reported and the stop goes on.</summary>
    private async Task RunPreStopAsync(V1Pod pod, V1Container spec, ContainerStatus container, V1LifecycleHandler hook, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(gracePeriod);
        try
        {
            if (hook.Exec is { Command: { } command })
            {
                var result = await runtime.ExecAsync(container.Id, [.. command], gracePeriod, deadline.Token);
                if (result.ExitCode != 0)
                {
                    events.Warning(pod, spec.Name, "FailedPreStopHook", $"PreStopHook failed: command '{string.Join(' ', command)}' exited with {result.ExitCode}: {result.Output.Trim()}");
                }
            }
            else if (hook.Sleep is { } sleep)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(sleep.Seconds, gracePeriod.TotalSeconds)), time, deadline.Token);
            }
            else if (hook.HttpGet is { } httpGet)
            {
                var probe = new V1Probe { HttpGet = httpGet, TimeoutSeconds = (int)Math.Max(1, gracePeriod.TotalSeconds) };
                var sandbox = (await runtime.ListSandboxesAsync(pod.Metadata.Uid, deadline.Token)).Where(s => s.Running).MaxBy(s => s.Attempt);
                var result = await prober.ProbeAsync(probe, spec, container.Id, sandbox?.Ip, deadline.Token);
                if (!result.Success)
                {
                    events.Warning(pod, spec.Name, "FailedPreStopHook", $"PreStopHook failed: {result.Message}");
                }
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? $"the hook did not finish within the grace period of {gracePeriod.TotalSeconds:0}s" : e.Message;
            events.Warning(pod, spec.Name, "FailedPreStopHook", $"PreStopHook failed: {why}");
        }
    }

    /// <summary>The pod as the downward API sees it once its sandbox runs: with its host and pod addresses.</summary>
    private V1Pod WithAddresses(V1Pod pod, SandboxStatus sandbox)
    {
        var status = pod.Status ?? new V1PodStatus();
        if (status.PodIP == sandbox.Ip && status.HostIP == options.Address.ToString())
        {
            return pod;
        }
        return new V1Pod
        {
            ApiVersion = pod.ApiVersion,
            Kind = pod.Kind,
            Metadata = pod.Metadata,
            Spec = pod.Spec,
            Status = new V1PodStatus
            {
                PodIP = sandbox.Ip,
                PodIPs = sandbox.Ip is null ? null : [new V1PodIP { Ip = sandbox.Ip }],
                HostIP = options.Address.ToString(),
            },
        };
    }

    /// <summary>The pod's hostname: <c>spec.hostname</c>, else its name, cut to 63 characters as the kubelet cuts it.</summary>
    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>A duration as Go prints one (<c>10s</c>, <c>1m20s</c>, <c>1.2s</c>).</summary>
    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds >= 60
            ? $"{(int)span.TotalMinutes}m{span.Seconds}s"
            : span.TotalSeconds >= 1 && span.Milliseconds == 0 ? $"{(int)span.TotalSeconds}s"
            : span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    [LoggerMessage(EventId = 5012, Level = LogLevel.Debug,
        Message = "Sync of {Namespace}/{Name} ({Sandboxes} sandboxes, {Containers} containers): {Actions}")]
    private static partial void LogActions(ILogger logger, string @namespace, string name, int sandboxes, int containers, PodActions actions);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Container {Container} of pod {Namespace}/{Name} did not start: {Problem}")]
    private static partial void LogStartFailed(ILogger logger, string @namespace, string name, string container, string problem);
}
