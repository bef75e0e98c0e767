using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Berth.Agent.Runtime;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Pods;

/// <summary>
/// Runs the pods bound to this node, as the kubelet's pod workers do: it watches the pods whose
/// <c>spec.nodeName</c> is this node, starts each one's containers and reports its status, stops the containers of
/// a pod being deleted and then confirms the deletion, and on start adopts what the runtime already runs, stopping
/// what no pod wants any more. Each pod has its own worker, so one slow start does not hold up the others, while
/// the changes to one pod are taken in order.
/// </summary>
internal sealed partial class PodSync(IKubernetes client, AgentOptions options, IContainerRuntime runtime, TimeProvider time, ILogger<PodSync> logger)
{
    /// <summary>The pods this agent has started, by uid.</summary>
    private readonly ConcurrentDictionary<string, bool> _started = new(StringComparer.Ordinal);

    /// <summary>Each pod's worker: the pod's changes, taken one at a time.</summary>
    private readonly ConcurrentDictionary<string, Channel<(V1Pod Pod, bool Deleted)>> _workers = new(StringComparer.Ordinal);

    private string FieldSelector => $"spec.nodeName={options.NodeName}";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: FieldSelector, cancellationToken: cancellationToken);
                await ReleaseStrayPodsAsync(list.Items, cancellationToken);
                foreach (var pod in list.Items)
                {
                    Dispatch(pod, deleted: false, cancellationToken);
                }
                await WatchAsync(list.Metadata.ResourceVersion, cancellationToken);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // the server is away or the watch expired: pods keep running; list again after a pause
                LogWatchFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    private async Task WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var events = client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: FieldSelector,
            resourceVersion: resourceVersion, cancellationToken: cancellationToken);
        await foreach (var (type, pod) in events)
        {
            if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
            {
                Dispatch(pod, type == WatchEventType.Deleted, cancellationToken);
            }
        }
    }

    /// <summary>Hands a pod's change to its worker, starting one for a pod not seen before.</summary>
    private void Dispatch(V1Pod pod, bool deleted, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var worker = _workers.GetOrAdd(uid, key =>
        {
            var channel = Channel.CreateUnbounded<(V1Pod, bool)>(new UnboundedChannelOptions { SingleReader = true });
            _ = WorkAsync(key, channel.Reader, cancellationToken);
            return channel;
        });
        worker.Writer.TryWrite((pod, deleted));
    }

    /// <summary>One pod's worker: its changes in order, until the pod is gone. A failure is logged; the next change tries again.</summary>
    private async Task WorkAsync(string uid, ChannelReader<(V1Pod Pod, bool Deleted)> changes, CancellationToken cancellationToken)
    {
        await foreach (var (pod, deleted) in changes.ReadAllAsync(cancellationToken))
        {
            try
            {
                await SyncAsync(pod, deleted, cancellationToken);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
            {
                _started.TryRemove(uid, out _);
                LogPodSyncFailed(logger, e, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            }
            if (deleted && _workers.TryRemove(uid, out var worker))
            {
                worker.Writer.TryComplete();
            }
        }
    }

    /// <summary>Stops what the runtime runs for pods that are no longer bound here (deleted while the agent was away).</summary>
    private async Task ReleaseStrayPodsAsync(IList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var wanted = pods.Select(p => p.Metadata.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var uid in (await runtime.ListPodsAsync(cancellationToken)).Keys.Where(uid => !wanted.Contains(uid)))
        {
            await runtime.StopPodAsync(uid, TimeSpan.Zero, cancellationToken);
            _started.TryRemove(uid, out _);
        }
    }

    private async Task SyncAsync(V1Pod pod, bool deleted, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        try
        {
            if (deleted || pod.Metadata.DeletionTimestamp is not null)
            {
                await StopAsync(pod, deleted, cancellationToken);
            }
            else if (pod.Status?.Phase is not ("Succeeded" or "Failed") && _started.TryAdd(uid, true))
            {
                var running = await runtime.StartPodAsync(pod, cancellationToken);
                await client.CoreV1.PatchNamespacedPodStatusAsync(
                    new V1Patch(new { status = PodStatuses.Running(pod, running, options.Address.ToString(), time.GetUtcNow().UtcDateTime) }, V1Patch.PatchType.MergePatch),
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
                LogPodStarted(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // deleted or replaced meanwhile: its deletion event stops it
        }
    }

    /// <summary>Stops the pod's containers within its grace period, then confirms its deletion to the server.</summary>
    private async Task StopAsync(V1Pod pod, bool deleted, CancellationToken cancellationToken)
    {
        var grace = TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);
        await runtime.StopPodAsync(pod.Metadata.Uid, grace, cancellationToken);
        if (_started.TryRemove(pod.Metadata.Uid, out _))
        {
            LogPodStopped(logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        }
        if (!deleted)
        {
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: cancellationToken);
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Started pod {Namespace}/{Name}")]
    private static partial void LogPodStarted(ILogger logger, string @namespace, string name);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Stopped pod {Namespace}/{Name}")]
    private static partial void LogPodStopped(ILogger logger, string @namespace, string name);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Could not sync pod {Namespace}/{Name}; its next change tries again")]
    private static partial void LogPodSyncFailed(ILogger logger, Exception exception, string @namespace, string name);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Lost the pods' watch; listing again")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);
}
