using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Policy;

/// <summary>
/// A PodDisruptionBudget's <c>DisruptionAllowed</c> condition, kept as Kubernetes' budget helpers keep it: it follows
/// <c>status.disruptionsAllowed</c> (SufficientPods or InsufficientPods) unless a sync failed, and it is changed the
/// way <c>meta.SetStatusCondition</c> changes a condition, its transition time moving only with its status.
/// </summary>
internal static class DisruptionBudgetConditions
{
    public const string DisruptionAllowed = "DisruptionAllowed";
    public const string SufficientPods = "SufficientPods";
    public const string InsufficientPods = "InsufficientPods";
    public const string SyncFailed = "SyncFailed";

    /// <summary>Sets <c>DisruptionAllowed</c> from <c>status.disruptionsAllowed</c>.</summary>
    public static void UpdateDisruptionAllowed(JsonObject pdb, DateTimeOffset now)
    {
        var allowed = pdb["status"]?["disruptionsAllowed"].AsLong() > 0;
        Set(pdb, allowed ? "True" : "False", allowed ? SufficientPods : InsufficientPods, "", now);
    }

    /// <summary>Whether the status was computed for the current generation and its condition says what its numbers say.</summary>
    public static bool AreUpToDate(JsonObject pdb)
    {
        if (ObjectConditions.Find(pdb, DisruptionAllowed) is not { } condition
            || pdb["status"]?["observedGeneration"].AsLong() != pdb["metadata"]?["generation"].AsLong())
        {
            return false;
        }
        return pdb["status"]?["disruptionsAllowed"].AsLong() > 0
            ? condition["status"].AsText() == "True" && condition["reason"].AsText() == SufficientPods
            : condition["status"].AsText() == "False" && condition["reason"].AsText() == InsufficientPods;
    }

    /// <summary>Sets the condition, with the status's <c>observedGeneration</c>, as <c>meta.SetStatusCondition</c> does.</summary>
    public static void Set(JsonObject pdb, string status, string reason, string message, DateTimeOffset now)
    {
        var pdbStatus = pdb["status"] as JsonObject ?? (JsonObject)(pdb["status"] = new JsonObject());
        var conditions = pdbStatus["conditions"] as JsonArray ?? (JsonArray)(pdbStatus["conditions"] = new JsonArray());
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"].AsText() == DisruptionAllowed);
        var transition = existing is not null && existing["status"].AsText() == status
            ? existing["lastTransitionTime"]?.DeepClone()
            : KubeTime.Format(now);
        var condition = new JsonObject { ["type"] = DisruptionAllowed, ["status"] = status };
        if (pdbStatus["observedGeneration"].AsLong() is { } generation and not 0)
        {
            condition["observedGeneration"] = generation;
        }
        condition["lastTransitionTime"] = transition;
        condition["reason"] = reason;
        condition["message"] = message;
        if (existing is null)
        {
            conditions.Add(condition);
        }
        else
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
    }
}
