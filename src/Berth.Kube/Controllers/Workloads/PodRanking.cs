using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Core;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// Which of a controller's pods to delete first when it has too many, as Kubernetes ranks them: not yet on a node
/// before placed, Pending before Unknown before Running, not ready before ready, more restarts before fewer, newer
/// before older.
/// </summary>
internal static class PodRanking
{
    public static IEnumerable<JsonObject> DeletionOrder(IEnumerable<JsonObject> pods) =>
        pods.OrderBy(p => p["spec"]?["nodeName"].AsText() is { Length: > 0 } ? 1 : 0)
            .ThenBy(p => p["status"]?["phase"].AsText() switch { "Pending" => 0, "Unknown" => 1, "Running" => 2, _ => 0 })
            .ThenBy(p => PodConditions.IsTrue(p, PodConditions.Ready) ? 1 : 0)
            .ThenByDescending(Restarts)
            .ThenByDescending(p => p["metadata"]?["creationTimestamp"].AsText(), StringComparer.Ordinal);

    private static long Restarts(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().Sum(c => c["restartCount"].AsLong() ?? 0);
}
