using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Kube.Scheduling;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// Removes the pods no agent will ever confirm the deletion of, as kube-controller-manager's pod garbage collector
/// does every 20 seconds: pods bound to a node that has been gone for the 40-second quarantine, terminating pods
/// that were never scheduled, terminating pods on a node that is not Ready and tainted
/// <c>node.kubernetes.io/out-of-service</c>, and the oldest finished pods beyond the threshold. A pod that has not
/// finished is marked Failed (with a <c>DisruptionTarget</c> condition when its node went) before it is deleted
/// with no grace.
/// </summary>
internal sealed partial class PodGarbageCollector(ResourceHandler objects, ResourceRegistry registry, SharedInformers informers, string cluster,
    TimeProvider time, ILogger<PodGarbageCollector> logger) : IController
{
    public const string OutOfServiceTaint = "node.kubernetes.io/out-of-service";

    /// <summary>kube-controller-manager's <c>--terminated-pod-gc-threshold</c>.</summary>
    public const int TerminatedPodThreshold = 12500;

    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(20);

    /// <summary>How long a node must be missing before its pods are collected: it may only be registering late.</summary>
    private static readonly TimeSpan s_quarantine = TimeSpan.FromSeconds(40);

    private const string Key = "pods";

    private readonly WorkQueue<string> _queue = new(time);

    /// <summary>When each missing node was first seen missing.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _missingSince = new(StringComparer.Ordinal);

    private ObjectInformer? _nodes;
    private ObjectInformer? _pods;

    public string Name => "pod-garbage-collector";

    private ResourceType Nodes => registry.Find("", "v1", "nodes")!;

    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _nodes = informers.Watch(ObjectStorage.Prefix(cluster, Nodes, null), _ => { });
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, Pods, null), _ => { });
        _queue.Add(Key);
        return ControllerLoop.RunAsync(Name, [_nodes, _pods], _queue, CollectAsync, logger, cancellationToken);
    }

    private async Task CollectAsync(string key, CancellationToken cancellationToken)
    {
        var pods = _pods!.Objects.Select(p => p.Value).ToList();
        await CollectTerminatedAsync(pods, cancellationToken);
        await CollectOrphanedAsync(pods, cancellationToken);
        foreach (var pod in pods.Where(p => p["metadata"]?["deletionTimestamp"] is not null))
        {
            var node = NodeOf(pod);
            if (node is null)
            {
                await FailAndDeleteAsync(pod, null, cancellationToken);
            }
            else if (_nodes!.Get(ObjectStorage.Key(cluster, Nodes, null, node)) is { } n && IsOutOfService(n))
            {
                await FailAndDeleteAsync(pod, "PodGC: node is out of service", cancellationToken);
            }
        }
        _queue.AddAfter(key, s_period);
    }

    private async Task CollectTerminatedAsync(List<JsonObject> pods, CancellationToken cancellationToken)
    {
        var finished = pods.Where(p => PodPhase(p) is "Succeeded" or "Failed").ToList();
        var excess = finished.Count - TerminatedPodThreshold;
        foreach (var pod in excess <= 0 ? [] : finished.OrderBy(p => KubeTime.Parse(p["metadata"]?["creationTimestamp"])).Take(excess))
        {
            await DeleteAsync(pod, cancellationToken);
        }
    }

    /// <summary>Pods whose node has been missing for the quarantine, confirmed against the store and not the cache.</summary>
    private async Task CollectOrphanedAsync(List<JsonObject> pods, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var missing = pods.Select(NodeOf).OfType<string>().Distinct(StringComparer.Ordinal)
            .Where(n => _nodes!.Get(ObjectStorage.Key(cluster, Nodes, null, n)) is null).ToHashSet(StringComparer.Ordinal);
        foreach (var node in _missingSince.Keys.Where(n => !missing.Contains(n)))
        {
            _missingSince.TryRemove(node, out _);
        }
        var gone = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in missing)
        {
            var since = _missingSince.GetOrAdd(node, now);
            if (now - since >= s_quarantine && await objects.GetObjectAsync(cluster, Nodes, null, node, cancellationToken) is null)
            {
                gone.Add(node);
            }
        }
        foreach (var node in gone)
        {
            LogNodeGone(logger, node);
        }
        foreach (var pod in pods.Where(p => NodeOf(p) is { } n && gone.Contains(n)))
        {
            await FailAndDeleteAsync(pod, "PodGC: node no longer exists", cancellationToken);
        }
    }

    private static bool IsOutOfService(JsonObject node) =>
        ObjectConditions.Find(node, "Ready")?["status"].AsText() != "True"
        && Tolerations.TaintsOf(node).Any(t => t["key"].AsText() == OutOfServiceTaint && t["effect"].AsText() == Tolerations.NoExecute);

    private static string? NodeOf(JsonObject pod) => pod["spec"]?["nodeName"].AsText() is { Length: > 0 } node ? node : null;

    private static string? PodPhase(JsonObject pod) => pod["status"]?["phase"].AsText();

    /// <summary>
    /// Marks an unfinished pod Failed, so whoever watches it sees it end rather than vanish, then deletes it at once;
    /// <paramref name="disruption"/> is the message of the <c>DisruptionTarget</c> condition, when there is one.
    /// </summary>
    private async Task FailAndDeleteAsync(JsonObject pod, string? disruption, CancellationToken cancellationToken)
    {
        if (PodPhase(pod) is not ("Succeeded" or "Failed"))
        {
            var metadata = pod["metadata"]!;
            try
            {
                await objects.UpdateStatusAsync(cluster, Pods, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
                    FieldOwner.ControllerManager, current =>
                    {
                        if (current["metadata"]?["uid"].AsText() != metadata["uid"].AsText())
                        {
                            throw KubeApiException.Conflict("pods", metadata["name"]!.GetValue<string>(), "the pod was replaced");
                        }
                        var status = current["status"] as JsonObject ?? (JsonObject)(current["status"] = new JsonObject());
                        status["phase"] = "Failed";
                        if (disruption is not null)
                        {
                            PodConditions.Set(current, PodConditions.DisruptionTarget, "True", "DeletionByPodGC", disruption, time.GetUtcNow());
                        }
                        return current;
                    }, cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
            {
                return; // gone or replaced meanwhile
            }
        }
        await DeleteAsync(pod, cancellationToken);
    }

    private async Task DeleteAsync(JsonObject pod, CancellationToken cancellationToken)
    {
        var metadata = pod["metadata"]!;
        try
        {
            await objects.DeleteObjectAsync(cluster, Pods, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
                DeleteOptions.Default with { GracePeriodSeconds = 0, PreconditionUid = metadata["uid"].AsText() }, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
        {
            // gone or replaced meanwhile
        }
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Node {Node} no longer exists; collecting its pods")]
    private static partial void LogNodeGone(ILogger logger, string node);
}
