using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Batch;

/// <summary>A Job's <c>status.conditions</c>, kept as the Job controller keeps them.</summary>
internal static class JobConditions
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string Suspended = "Suspended";
    public const string FailureTarget = "FailureTarget";
    public const string SuccessCriteriaMet = "SuccessCriteriaMet";

    /// <summary>A condition not yet in the status: its type, reason and message.</summary>
    public sealed record Pending(string Type, string Reason, string Message);

    public static bool IsTrue(JsonNode? job, string type) => ObjectConditions.Find(job, type)?["status"].AsText() == "True";

    /// <summary>Finished: Complete or Failed, the two conditions a Job never leaves.</summary>
    public static bool IsFinished(JsonNode? job) => IsTrue(job, Complete) || IsTrue(job, Failed);

    /// <summary>
    /// Sets the condition of <paramref name="type"/> in <paramref name="status"/>: a changed one is replaced (with new
    /// times), a missing one is added unless it would be False. True when the status changed.
    /// </summary>
    public static bool Ensure(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now)
    {
        var conditions = status["conditions"] as JsonArray;
        var existing = (conditions ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"].AsText() == type);
        if (existing is null || conditions is null)
        {
            if (value == "False")
            {
                return false;
            }
            conditions ??= (JsonArray)(status["conditions"] = new JsonArray());
            conditions.Add(New(type, value, reason, message, now));
            return true;
        }
        if (existing["status"].AsText() == value && existing["reason"].AsText() == reason && existing["message"].AsText() == message)
        {
            return false;
        }
        conditions[conditions.IndexOf(existing)] = New(type, value, reason, message, now);
        return true;
    }

    public static JsonObject New(string type, string value, string reason, string message, DateTimeOffset now) => new()
    {
        ["type"] = type,
        ["status"] = value,
        ["lastProbeTime"] = KubeTime.Format(now),
        ["lastTransitionTime"] = KubeTime.Format(now),
        ["reason"] = reason,
        ["message"] = message,
    };
}
