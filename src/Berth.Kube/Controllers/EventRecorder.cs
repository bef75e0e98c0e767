using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// Records core/v1 Events about objects for the server's own components, as client-go's event recorder does:
/// one Event per object, type, reason and message, counted up (<c>count</c>, <c>lastTimestamp</c>) when the same
/// thing happens again within ten minutes. Recording never fails the work it reports on.
/// </summary>
internal sealed partial class EventRecorder(ResourceHandler objects, ResourceRegistry registry, TimeProvider time, ILogger<EventRecorder> logger)
{
    /// <summary>How long a repeated event is counted on the one already recorded, as client-go aggregates.</summary>
    private static readonly TimeSpan s_series = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, (string Name, DateTimeOffset At)> _recent = new(StringComparer.Ordinal);

    private const int MaxRemembered = 4096;

    public const string Normal = "Normal";
    public const string Warning = "Warning";

    /// <summary>Records that <paramref name="reason"/> happened to <paramref name="involved"/>, as <paramref name="component"/> saw it.</summary>
    public async Task RecordAsync(string cluster, JsonObject involved, string type, string reason, string message, string component,
        CancellationToken cancellationToken)
    {
        var events = registry.Find("", "v1", "events")!;
        var metadata = involved["metadata"] as JsonObject ?? [];
        // Events about cluster-scoped objects live in "default", as client-go puts them.
        var ns = metadata["namespace"].AsText() is { Length: > 0 } objectNamespace ? objectNamespace : "default";
        var now = time.GetUtcNow();
        var stamp = KubeTime.Format(now);
        var key = string.Join('\n', cluster, metadata["uid"].AsText(), type, reason, message, component);
        try
        {
            if (_recent.TryGetValue(key, out var recent) && now - recent.At < s_series
                && await CountAgainAsync(cluster, events, ns, recent.Name, stamp, component, cancellationToken))
            {
                _recent[key] = (recent.Name, now);
                return;
            }
            // named as client-go names events: the object's name and the time in Unix nanoseconds, in hex
            var name = $"{metadata["name"].AsText()}.{(now - DateTimeOffset.UnixEpoch).Ticks * 100:x}";
            await objects.CreateObjectAsync(cluster, events, ns, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Event",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["involvedObject"] = Reference(involved, metadata),
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = new JsonObject { ["component"] = component },
                ["firstTimestamp"] = stamp,
                ["lastTimestamp"] = stamp,
                ["count"] = 1,
                ["type"] = type,
                ["reportingComponent"] = component,
                ["reportingInstance"] = Environment.MachineName,
            }, new FieldOwner(component), dryRun: false, cancellationToken);
            Remember(key, name, now);
        }
        catch (KubeApiException e)
        {
            // The namespace may be going, or the object gone: the event is lost, as client-go drops it.
            LogNotRecorded(logger, reason, e.Message);
        }
    }

    /// <summary>The involved object's reference; a cluster-scoped object's has no namespace at all.</summary>
    private static JsonObject Reference(JsonObject involved, JsonObject metadata)
    {
        var reference = new JsonObject { ["kind"] = involved["kind"]?.DeepClone() };
        if (metadata["namespace"] is { } ns)
        {
            reference["namespace"] = ns.DeepClone();
        }
        reference["name"] = metadata["name"]?.DeepClone();
        reference["uid"] = metadata["uid"]?.DeepClone();
        reference["apiVersion"] = involved["apiVersion"]?.DeepClone();
        reference["resourceVersion"] = metadata["resourceVersion"]?.DeepClone();
        return reference;
    }

    /// <summary>Remembers the event for counting repeats, forgetting those too old to be counted on.</summary>
    private void Remember(string key, string name, DateTimeOffset now)
    {
        if (_recent.Count >= MaxRemembered)
        {
            foreach (var (old, entry) in _recent)
            {
                if (now - entry.At >= s_series)
                {
                    _recent.TryRemove(old, out _);
                }
            }
        }
        _recent[key] = (name, now);
    }

    /// <summary>Counts a repeat on the recorded event; false when that event is gone (expired or deleted).</summary>
    private async Task<bool> CountAgainAsync(string cluster, ResourceType events, string ns, string name, string stamp, string component,
        CancellationToken cancellationToken)
    {
        try
        {
            await objects.UpdateObjectAsync(cluster, events, ns, name, new FieldOwner(component), current =>
            {
                current["count"] = (current["count"].AsLong() ?? 1) + 1;
                current["lastTimestamp"] = stamp;
                return current;
            }, cancellationToken);
            return true;
        }
        catch (KubeApiException e) when (e.Reason == "NotFound")
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Event {Reason} not recorded: {Problem}")]
    private static partial void LogNotRecorded(ILogger logger, string reason, string problem);
}
