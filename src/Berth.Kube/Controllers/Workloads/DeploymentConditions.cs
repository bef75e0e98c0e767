using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>A Deployment's <c>status.conditions</c> (Available, Progressing) with the reasons the Deployment controller writes.</summary>
internal static class DeploymentConditions
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";

    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";
    public const string NewReplicaSetCreated = "NewReplicaSetCreated";
    public const string FoundNewReplicaSet = "FoundNewReplicaSet";
    public const string ReplicaSetUpdated = "ReplicaSetUpdated";
    public const string NewReplicaSetAvailable = "NewReplicaSetAvailable";
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";
    public const string DeploymentPaused = "DeploymentPaused";
    public const string DeploymentResumed = "DeploymentResumed";

    public static JsonObject? Find(JsonObject status, string type) =>
        (status["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"].AsText() == type);

    /// <summary>
    /// Sets a condition unless one of the same status and reason is there; the transition time is kept while the
    /// status stays, so it says when the status last changed and <c>lastUpdateTime</c> when the reason did.
    /// </summary>
    public static void Set(JsonObject status, string type, string conditionStatus, string reason, string message, DateTimeOffset now)
    {
        var existing = Find(status, type);
        if (existing is not null && existing["status"].AsText() == conditionStatus && existing["reason"].AsText() == reason)
        {
            return;
        }
        Replace(status, type, conditionStatus, reason, message, now,
            existing is not null && existing["status"].AsText() == conditionStatus ? existing["lastTransitionTime"].AsText() : null);
    }

    /// <summary>Writes the condition afresh (a new <c>lastUpdateTime</c>), keeping the given transition time.</summary>
    public static void Replace(JsonObject status, string type, string conditionStatus, string reason, string message, DateTimeOffset now,
        string? lastTransitionTime)
    {
        var stamp = KubeTime.Format(now);
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = conditionStatus,
            ["lastUpdateTime"] = stamp,
            ["lastTransitionTime"] = lastTransitionTime ?? stamp,
            ["reason"] = reason,
            ["message"] = message,
        };
        // the condition set last goes last, as the Deployment controller appends it
        Remove(status, type);
        var conditions = status["conditions"] as JsonArray ?? (JsonArray)(status["conditions"] = new JsonArray());
        conditions.Add(condition);
    }

    public static void Remove(JsonObject status, string type)
    {
        if (status["conditions"] is JsonArray conditions && Find(status, type) is { } existing)
        {
            conditions.Remove(existing);
        }
    }

    public static DateTimeOffset? LastUpdate(JsonObject condition) => KubeTime.Parse(condition["lastUpdateTime"]);
}
