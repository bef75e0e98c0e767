using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Workloads;

internal sealed partial class DaemonSetController
{
    /// <summary>
    /// Counts the nodes as kube-controller-manager does, by the oldest pod on each node that should run one, and
    /// writes the status; <c>observedGeneration</c> moves only when <paramref name="observed"/>, that is once the
    /// pass's own creations and deletions have been seen.
    /// </summary>
    private async Task UpdateStatusAsync(JsonObject set, List<JsonObject> nodes, List<JsonObject> pods, string hash, bool observed,
        CancellationToken cancellationToken)
    {
        var byNode = ByNode(pods, withDeletedFinished: true);
        var minReady = TimeSpan.FromSeconds(set["spec"]?["minReadySeconds"].AsLong() ?? 0);
        var now = time.GetUtcNow();
        var generation = DaemonPods.TemplateGeneration(set);
        long desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
        foreach (var node in nodes)
        {
            var onNode = byNode.GetValueOrDefault(node["metadata"]!["name"]!.GetValue<string>()) ?? [];
            if (!DaemonPods.ShouldRun(node, set).ShouldRun)
            {
                misscheduled += onNode.Count > 0 ? 1 : 0;
                continue;
            }
            desired++;
            if (onNode.Count == 0)
            {
                continue;
            }
            current++;
            var pod = DaemonPods.OldestFirst(onNode).First();
            if (DaemonPods.IsAvailable(pod, TimeSpan.Zero, now))
            {
                ready++;
                available += DaemonPods.IsAvailable(pod, minReady, now) ? 1 : 0;
            }
            updated += DaemonPods.IsUpdated(pod, hash, generation) ? 1 : 0;
        }
        var status = new JsonObject
        {
            ["currentNumberScheduled"] = current,
            ["numberMisscheduled"] = misscheduled,
            ["desiredNumberScheduled"] = desired,
            ["numberReady"] = ready,
            ["observedGeneration"] = observed ? set["metadata"]?["generation"]?.DeepClone() : set["status"]?["observedGeneration"]?.DeepClone(),
            ["updatedNumberScheduled"] = updated,
            ["numberAvailable"] = available,
            ["numberUnavailable"] = desired - available,
        };
        if (set["status"]?["collisionCount"] is { } collisions)
        {
            status["collisionCount"] = collisions.DeepClone();
        }
        // Kubernetes leaves these out of the status when they are zero
        foreach (var field in new[] { "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable" })
        {
            if (status[field] is null || status[field].AsLong() == 0)
            {
                status.Remove(field);
            }
        }
        await WorkloadStatus.WriteAsync(objects, cluster, Sets, set, status, cancellationToken);
        if (minReady > TimeSpan.Zero && ready != available)
        {
            var metadata = set["metadata"]!;
            _queue.AddAfter(ObjectStorage.Key(cluster, Sets, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>()), minReady);
        }
    }
}
