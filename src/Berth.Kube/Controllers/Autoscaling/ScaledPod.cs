using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources;

namespace Berth.Kube.Controllers.Autoscaling;

/// <summary>
/// What the replica calculation reads of a target's pod: whether it is going or failed, its phase, when it started,
/// its Ready condition and when that last changed, and its containers' requests of one resource, in milli-units
/// (null for a container that requests none).
/// </summary>
internal sealed record ScaledPod(string Name, bool Ignored, bool Pending, DateTimeOffset? StartTime, bool? Ready, DateTimeOffset? ReadyTransition,
    IReadOnlyList<(string Container, long? RequestMilli)> Requests)
{
    public static ScaledPod From(JsonObject pod, string resource)
    {
        var phase = pod["status"]?["phase"].AsText();
        var ready = ObjectConditions.Find(pod, "Ready");
        var requests = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => (c["name"].AsText() ?? "", Quantity.Parse(c["resources"]?["requests"]?[resource].AsText()) is { } request ? (long?)Math.Ceiling(request * 1000) : null))
            .ToList();
        return new ScaledPod(pod["metadata"]?["name"].AsText() ?? "", pod["metadata"]?["deletionTimestamp"] is not null || phase == "Failed", phase == "Pending",
            KubeTime.Parse(pod["status"]?["startTime"]), ready is null ? null : ready["status"].AsText() == "True", KubeTime.Parse(ready?["lastTransitionTime"]),
            requests);
    }
}

/// <summary>A pod's usage of one resource, in milli-units, as the metrics API reported it.</summary>
internal sealed record PodMetric(long ValueMilli, DateTimeOffset Timestamp, TimeSpan Window);

/// <summary>The replica count could not be computed; the message says why, in kube-controller-manager's words.</summary>
internal sealed class ReplicaCalculationException(string message) : Exception(message);
