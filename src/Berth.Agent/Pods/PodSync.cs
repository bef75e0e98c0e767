using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Berth.Agent.Client;
using Berth.Agent.Runtime;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Pods;

/// <summary>
/// Runs the pods bound to this node, as the kubelet's pod workers and its pod lifecycle event generator: it watches
/// the pods whose <c>spec.nodeName</c> is this node and relists the runtime every second, and each pod's worker
/// syncs the pod when either changed (or a back-off ran out), reporting the status when it differs from the last
/// one reported. A pod being deleted is stopped within its grace period and its deletion confirmed. On start, what
/// the runtime already runs is adopted, and what no pod wants any more is removed.
/// </summary>
internal sealed partial class PodSync(ApiClient client, AgentOptions options, IContainerRuntime runtime, PodRunner runner, TimeProvider time, ILogger<PodSync> logger)
{
    /// <summary>How often the runtime is relisted for changes the agent did not make (a container exited), as the kubelet's PLEG.</summary>
    public static readonly TimeSpan RelistInterval = TimeSpan.FromSeconds(1);

    /// <summary>A pod as last seen from the server; deleted once the server's watch said so.</summary>
    private sealed record Known(V1Pod Pod, bool Deleted);

    private readonly ConcurrentDictionary<string, Known> _pods = new(StringComparer.Ordinal);

    /// <summary>Each pod's worker: a signal that the pod needs a sync, coalesced while one is pending.</summary>
    private readonly ConcurrentDictionary<string, Channel<bool>> _workers = new(StringComparer.Ordinal);

    /// <summary>A status as last reported: serialized, so an unchanged one is not written again; its phase; its fingerprint.</summary>
    private sealed record Reported(string Status, string Phase, string Fingerprint);

    private readonly ConcurrentDictionary<string, Reported> _reported = new(StringComparer.Ordinal);

    /// <summary>When each pod waiting on a back-off is to be synced again.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _syncAt = new(StringComparer.Ordinal);

    private string FieldSelector => $"spec.nodeName={options.NodeName}";

    /// <summary>The pod of that name bound to this node, as last seen from the server; null when there is none.</summary>
    public V1Pod? Find(string @namespace, string name) =>
        _pods.Values.Where(k => !k.Deleted && k.Pod.Metadata.NamespaceProperty == @namespace && k.Pod.Metadata.Name == name)
            .Select(k => k.Pod).MaxBy(p => p.Metadata.CreationTimestamp);

    /// <summary>The pods bound to this node, as last seen from the server.</summary>
    public IReadOnlyList<V1Pod> Pods => [.. _pods.Values.Where(k => !k.Deleted).Select(k => k.Pod)];

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(WatchLoopAsync(cancellationToken), RelistLoopAsync(cancellationToken));

    private async Task WatchLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await client.ListAsync(ApiResources.Pods, FieldSelector, cancellationToken);
                await ReleaseStrayPodsAsync(list.Items, cancellationToken);
                foreach (var pod in list.Items)
                {
                    Observe(pod, deleted: false, cancellationToken);
                }
                // a pod deleted while the watch was down is missing from the list: as good as a deletion event
                var listed = list.Items.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
                foreach (var known in _pods.Values.Where(k => !k.Deleted && !listed.Contains(k.Pod.Metadata.Uid)))
                {
                    Observe(known.Pod, deleted: true, cancellationToken);
                }
                await WatchAsync(list.Metadata.ResourceVersion, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // the server is away, the watch expired, or an event could not be read: pods keep running; list
                // again after a pause, as a reflector does whatever broke its watch
                LogWatchFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    private async Task WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var events = client.WatchAsync(ApiResources.Pods, resourceVersion, FieldSelector, cancellationToken);
        await foreach (var (type, pod) in events)
        {
            if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
            {
                Observe(pod, type == WatchEventType.Deleted, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Relists the runtime every second and wakes the workers of the pods whose containers changed, and of those
    /// whose back-off has run out.
    /// </summary>
    private async Task RelistLoopAsync(CancellationToken cancellationToken)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(RelistInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                var current = (await runtime.ListContainersAsync(null, cancellationToken))
                    .GroupBy(c => c.PodUid, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => string.Join(';', g.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => $"{c.Id}:{c.State}")), StringComparer.Ordinal);
                foreach (var uid in current.Keys.Union(previous.Keys))
                {
                    if (current.GetValueOrDefault(uid) != previous.GetValueOrDefault(uid))
                    {
                        Wake(uid, cancellationToken);
                    }
                }
                previous = current;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogRelistFailed(logger, e.Message);
            }
            var now = time.GetUtcNow();
            foreach (var (uid, at) in _syncAt)
            {
                if (at <= now && _syncAt.TryRemove(new KeyValuePair<string, DateTimeOffset>(uid, at)))
                {
                    Wake(uid, cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// Takes the server's word on a pod and wakes its worker, starting one for a pod not seen before. A change of
    /// the status alone (mostly the agent's own report coming back) wakes nothing, as the kubelet only reconciles it.
    /// </summary>
    private void Observe(V1Pod pod, bool deleted, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var previous = _pods.TryGetValue(uid, out var known) ? known : null;
        _pods[uid] = new Known(pod, deleted);
        if (previous is null || deleted || !SameDesire(previous.Pod, pod))
        {
            Wake(uid, cancellationToken);
        }
        else if (_reported.TryGetValue(uid, out var reported) && reported.Fingerprint != Fingerprint(pod.Status))
        {
            // someone else changed what the agent reports (the node controller marked the pod not ready while the
            // node was away): report it again, as the kubelet's status manager compares with the server's copy
            _reported.TryRemove(uid, out _);
            Wake(uid, cancellationToken);
        }
    }

    /// <summary>What of a status the agent reports (with the conditions it carries over), in a form that survives the server's round trip.</summary>
    private static string Fingerprint(V1PodStatus? status) => status is null ? "" : string.Join('|',
        status.Phase,
        string.Join(',', (status.Conditions ?? []).OrderBy(c => c.Type, StringComparer.Ordinal)
            .Select(c => $"{c.Type}={c.Status}")),
        string.Join(',', (status.InitContainerStatuses ?? []).Concat(status.ContainerStatuses ?? [])
            .Select(c => $"{c.Name}:{c.Ready}:{c.RestartCount}:{c.ContainerID}:{(c.State?.Running is not null ? "r" : c.State?.Terminated is not null ? "t" : "w")}")));

    /// <summary>Whether two versions of a pod ask the same of the node: spec, deletion, and what the downward API shows.</summary>
    private static bool SameDesire(V1Pod a, V1Pod b) =>
        a.Metadata.DeletionTimestamp == b.Metadata.DeletionTimestamp
        && a.Status?.Phase == b.Status?.Phase
        && Json(a.Spec) == Json(b.Spec)
        && SameEntries(a.Metadata.Labels, b.Metadata.Labels)
        && SameEntries(a.Metadata.Annotations, b.Metadata.Annotations);

    private static string Json(V1PodSpec? spec) => spec is null ? "" : JsonSerializer.Serialize(spec, AgentJson.Default.V1PodSpec);

    private static bool SameEntries(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(e => b!.TryGetValue(e.Key, out var value) && value == e.Value));

    private void Wake(string uid, CancellationToken cancellationToken)
    {
        Channel<bool>? worker;
        lock (_workers)
        {
            if (!_pods.ContainsKey(uid))
            {
                return; // not a pod of the server's (yet), or gone: the list's stray release takes care of it
            }
            if (!_workers.TryGetValue(uid, out worker))
            {
                worker = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
                _workers[uid] = worker;
                _ = WorkAsync(uid, worker.Reader, cancellationToken);
            }
        }
        worker.Writer.TryWrite(true);
    }

    /// <summary>Ends a pod's worker and forgets the pod, at once for every wake-up that may race with it.</summary>
    private void Retire(string uid)
    {
        lock (_workers)
        {
            _pods.TryRemove(uid, out _);
            _reported.TryRemove(uid, out _);
            _syncAt.TryRemove(uid, out _);
            if (_workers.TryRemove(uid, out var worker))
            {
                worker.Writer.TryComplete();
            }
        }
    }

    /// <summary>One pod's worker: a sync per wake-up, until the pod is gone. A failure is logged and the pod synced again after a pause.</summary>
    private async Task WorkAsync(string uid, ChannelReader<bool> wakeups, CancellationToken cancellationToken)
    {
        await foreach (var unused in wakeups.ReadAllAsync(cancellationToken))
        {
            if (!_pods.TryGetValue(uid, out var known))
            {
                Retire(uid);
                return;
            }
            bool done;
            try
            {
                done = await SyncAsync(known, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // whatever failed, the worker lives on: the pod is synced again after a pause
                LogPodSyncFailed(logger, e, known.Pod.Metadata.NamespaceProperty, known.Pod.Metadata.Name);
                _syncAt[uid] = time.GetUtcNow() + TimeSpan.FromSeconds(2);
                continue;
            }
            if (done)
            {
                Retire(uid);
                return;
            }
        }
    }

    /// <summary>Syncs one pod; true once the pod is gone for good.</summary>
    private async Task<bool> SyncAsync(Known known, CancellationToken cancellationToken)
    {
        var pod = known.Pod;
        var uid = pod.Metadata.Uid;
        if (known.Deleted || pod.Metadata.DeletionTimestamp is not null)
        {
            await runner.TerminateAsync(uid, pod, PodRunner.GracePeriod(pod), cancellationToken);
            LogPodStopped(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            if (!known.Deleted)
            {
                await ConfirmDeletionAsync(pod, cancellationToken);
            }
            return true;
        }
        var (status, again) = await runner.SyncAsync(pod, () => Wake(uid, cancellationToken), cancellationToken);
        if (again is { } delay)
        {
            _syncAt[uid] = time.GetUtcNow() + delay;
        }
        var serialized = JsonSerializer.Serialize(status, AgentJson.Default.V1PodStatus);
        var last = _reported.TryGetValue(uid, out var reported) ? reported : new Reported("", pod.Status?.Phase ?? "", "");
        if (last.Status == serialized)
        {
            return false;
        }
        try
        {
            await client.PatchAsync(ApiResources.Pods, pod.Metadata.NamespaceProperty, pod.Metadata.Name, new V1Pod { Status = status },
                cancellationToken, subresource: "status");
            _reported[uid] = new Reported(serialized, status.Phase, Fingerprint(status));
            if (status.Phase != last.Phase)
            {
                LogPodPhase(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, status.Phase);
            }
        }
        catch (ApiException e) when (e.StatusCode is HttpStatusCode.NotFound)
        {
            // deleted meanwhile: its deletion event stops it
        }
        return false;
    }

    private async Task ConfirmDeletionAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteAsync(ApiResources.Pods, pod.Metadata.NamespaceProperty, pod.Metadata.Name,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken);
        }
        catch (ApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // already gone, or replaced by a pod of the same name
        }
    }

    /// <summary>Removes what the runtime has of pods no longer bound here (deleted while the agent was away).</summary>
    private async Task ReleaseStrayPodsAsync(IList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var wanted = pods.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var uid in (await runner.PodsInRuntimeAsync(cancellationToken)).Where(uid => !wanted.Contains(uid)))
        {
            if (!_workers.ContainsKey(uid))
            {
                await runner.TerminateAsync(uid, null, TimeSpan.Zero, cancellationToken);
                LogStrayRemoved(logger, uid);
            }
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Pod {Namespace}/{Name} is {Phase}")]
    private static partial void LogPodPhase(ILogger logger, string @namespace, string name, string phase);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Stopped pod {Namespace}/{Name}")]
    private static partial void LogPodStopped(ILogger logger, string @namespace, string name);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Could not sync pod {Namespace}/{Name}; trying again")]
    private static partial void LogPodSyncFailed(ILogger logger, Exception exception, string @namespace, string name);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Lost the pods' watch; listing again")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Could not relist the runtime: {Problem}")]
    private static partial void LogRelistFailed(ILogger logger, string problem);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Removed the containers of pod {Uid}, which is no longer bound here")]
    private static partial void LogStrayRemoved(ILogger logger, string uid);
}
