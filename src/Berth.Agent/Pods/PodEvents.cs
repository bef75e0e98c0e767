using System.Collections.Concurrent;
using Berth.Agent.Client;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Pods;

/// <summary>
/// Records the kubelet's events about pods and their containers (Pulling, Pulled, Created, Started, Killing, BackOff,
/// Unhealthy, Failed …) as core/v1 Events, counting a repeat of the same one within ten minutes on the Event
/// already recorded, as client-go's recorder does. Recording never fails the work it reports on.
/// </summary>
internal sealed partial class PodEvents(ApiClient client, AgentOptions options, TimeProvider time, ILogger<PodEvents> logger)
{
    private static readonly TimeSpan s_series = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, (string Name, int Count, DateTimeOffset At)> _recent = new(StringComparer.Ordinal);

    public void Normal(V1Pod pod, string? container, string reason, string message) => _ = RecordAsync(pod, container, "Normal", reason, message);

    public void Warning(V1Pod pod, string? container, string reason, string message) => _ = RecordAsync(pod, container, "Warning", reason, message);

    /// <summary>Forgets the events of a pod that is gone.</summary>
    public void Forget(string uid)
    {
        foreach (var key in _recent.Keys.Where(k => k.StartsWith(uid + "\n", StringComparison.Ordinal)))
        {
            _recent.TryRemove(key, out _);
        }
    }

    private async Task RecordAsync(V1Pod pod, string? container, string type, string reason, string message)
    {
        var now = time.GetUtcNow();
        // a series ends after ten quiet minutes: what is older is forgotten, so messages that vary do not pile up
        foreach (var stale in _recent.Where(r => now - r.Value.At >= s_series).Select(r => r.Key).ToList())
        {
            _recent.TryRemove(stale, out _);
        }
        var key = string.Join('\n', pod.Metadata.Uid, container, type, reason, message);
        var ns = pod.Metadata.NamespaceProperty;
        try
        {
            if (_recent.TryGetValue(key, out var recent) && now - recent.At < s_series)
            {
                var patch = new Corev1Event { Count = recent.Count + 1, LastTimestamp = now.UtcDateTime };
                await client.PatchAsync(ApiResources.Events, ns, recent.Name, patch, CancellationToken.None);
                _recent[key] = (recent.Name, recent.Count + 1, now);
                return;
            }
            var name = $"{pod.Metadata.Name}.{(now - DateTimeOffset.UnixEpoch).Ticks * 100:x}";
            await client.CreateAsync(ApiResources.Events, new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = new V1ObjectReference
                {
                    ApiVersion = "v1",
                    Kind = "Pod",
                    Name = pod.Metadata.Name,
                    NamespaceProperty = ns,
                    Uid = pod.Metadata.Uid,
                    ResourceVersion = pod.Metadata.ResourceVersion,
                    FieldPath = container is null ? null : ContainerFieldPath(pod, container),
                },
                Reason = reason,
                Message = message,
                Type = type,
                Source = new V1EventSource { Component = "kubelet", Host = options.NodeName },
                FirstTimestamp = now.UtcDateTime,
                LastTimestamp = now.UtcDateTime,
                Count = 1,
                ReportingComponent = "kubelet",
                ReportingInstance = options.NodeName,
            }, CancellationToken.None);
            _recent[key] = (name, 1, now);
        }
        catch (Exception e) when (e is ApiException or HttpRequestException or IOException)
        {
            _recent.TryRemove(key, out _);
            LogNotRecorded(logger, reason, e.Message);
        }
    }

    private static string ContainerFieldPath(V1Pod pod, string container) =>
        pod.Spec.InitContainers?.Any(c => c.Name == container) == true ? $"spec.initContainers{{{container}}}" : $"spec.containers{{{container}}}";

    [LoggerMessage(EventId = 5010, Level = LogLevel.Debug, Message = "Event {Reason} not recorded: {Problem}")]
    private static partial void LogNotRecorded(ILogger logger, string reason, string problem);
}
