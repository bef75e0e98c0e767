using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>A pod's <c>status.conditions</c>, changed as Kubernetes' pod utilities change them.</summary>
internal static class PodConditions
{
    public const string PodScheduled = "PodScheduled";
    public const string Ready = "Ready";

    /// <summary>Set before a pod is deleted for a disruption: eviction, preemption, or its node going away.</summary>
    public const string DisruptionTarget = "DisruptionTarget";

    /// <summary>The condition of <paramref name="type"/>, or null when the pod has none.</summary>
    public static JsonObject? Find(JsonObject pod, string type) => ObjectConditions.Find(pod, type);

    public static bool IsTrue(JsonObject pod, string type) => Find(pod, type)?["status"].AsText() == "True";

    /// <summary>
    /// Sets a condition; <c>lastTransitionTime</c> moves only when the status does, so a repeated reason does not
    /// look like a new transition. Returns whether anything changed.
    /// </summary>
    public static bool Set(JsonObject pod, string type, string status, string? reason, string? message, DateTimeOffset now)
    {
        var podStatus = pod["status"] as JsonObject ?? (JsonObject)(pod["status"] = new JsonObject());
        var conditions = podStatus["conditions"] as JsonArray ?? (JsonArray)(podStatus["conditions"] = new JsonArray());
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"].AsText() == type);
        if (existing is not null && existing["status"].AsText() == status
            && existing["reason"].AsText() == reason && existing["message"].AsText() == message)
        {
            return false;
        }
        var transition = existing is not null && existing["status"].AsText() == status
            ? existing["lastTransitionTime"]?.DeepClone()
            : KubeTime.Format(now);
        var condition = new JsonObject { ["type"] = type, ["status"] = status, ["lastProbeTime"] = null, ["lastTransitionTime"] = transition };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }
        if (message is not null)
        {
            condition["message"] = message;
        }
        if (existing is null)
        {
            conditions.Add(condition);
        }
        else
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
        return true;
    }
}
