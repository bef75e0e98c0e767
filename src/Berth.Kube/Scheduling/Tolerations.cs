using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>Whether a pod's tolerations let it onto a node's taints, by Kubernetes' matching rules.</summary>
internal static class Tolerations
{
    public const string NoSchedule = "NoSchedule";
    public const string NoExecute = "NoExecute";
    public const string PreferNoSchedule = "PreferNoSchedule";

    public static IEnumerable<JsonObject> TaintsOf(JsonObject node) => (node["spec"]?["taints"] as JsonArray ?? []).OfType<JsonObject>();

    public static IEnumerable<JsonObject> Of(JsonObject pod) => (pod["spec"]?["tolerations"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>The first taint of the given effects that no toleration tolerates, or null.</summary>
    public static JsonObject? FirstUntolerated(JsonObject node, JsonObject pod, params string[] effects) =>
        TaintsOf(node).FirstOrDefault(taint => effects.Contains(taint["effect"].AsText()) && !Of(pod).Any(t => Tolerates(t, taint)));

    /// <summary>
    /// A toleration tolerates a taint when its effect is empty or the same, and its key matches: with
    /// <c>Exists</c> an empty key matches every taint; with <c>Equal</c> (the default) key and value must be equal.
    /// </summary>
    public static bool Tolerates(JsonObject toleration, JsonObject taint)
    {
        var effect = toleration["effect"].AsText();
        if (!string.IsNullOrEmpty(effect) && effect != taint["effect"].AsText())
        {
            return false;
        }
        var key = toleration["key"].AsText() ?? "";
        if (key.Length > 0 && key != taint["key"].AsText())
        {
            return false;
        }
        return toleration["operator"].AsText() switch
        {
            "Exists" => true,
            null or "" or "Equal" => key.Length > 0 && (toleration["value"].AsText() ?? "") == (taint["value"].AsText() ?? ""),
            _ => false,
        };
    }
}
