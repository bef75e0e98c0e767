using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Autoscaling;

/// <summary>An autoscaler's <c>status.conditions</c>: AbleToScale, ScalingActive, ScalingLimited, set as the HPA controller sets them.</summary>
internal static class AutoscalerConditions
{
    public const string AbleToScale = "AbleToScale";
    public const string ScalingActive = "ScalingActive";
    public const string ScalingLimited = "ScalingLimited";

    /// <summary>Sets reason and message; the transition time moves only when the status changes.</summary>
    public static void Set(JsonObject status, string type, bool value, string reason, string message, DateTimeOffset now)
    {
        var conditions = status["conditions"] as JsonArray ?? (JsonArray)(status["conditions"] = new JsonArray());
        var text = value ? "True" : "False";
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"].AsText() == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }
        if (existing["status"].AsText() != text || existing["lastTransitionTime"] is null)
        {
            existing["lastTransitionTime"] = KubeTime.Format(now);
        }
        existing["status"] = text;
        existing["reason"] = reason;
        existing["message"] = message;
    }
}
