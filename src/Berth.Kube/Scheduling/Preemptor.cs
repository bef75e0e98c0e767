using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;

namespace Berth.Kube.Scheduling;

/// <summary>
/// Carries out a preemption as kube-scheduler does: each victim is marked <c>DisruptionTarget</c> (reason
/// <c>PreemptionByScheduler</c>), deleted gracefully, and given a "Preempted" event naming the preemptor.
/// </summary>
internal sealed class Preemptor(ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster, TimeProvider time)
{
    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    public async Task EvictAsync(JsonObject preemptor, string node, IEnumerable<JsonObject> victims, CancellationToken cancellationToken)
    {
        var schedulerName = preemptor["spec"]?["schedulerName"].AsText() ?? Scheduler.DefaultSchedulerName;
        var uid = preemptor["metadata"]?["uid"].AsText();
        await Task.WhenAll(victims.Select(async victim =>
        {
            var metadata = victim["metadata"]!;
            var (ns, name) = (metadata["namespace"].AsText(), metadata["name"].AsText()!);
            try
            {
                await objects.UpdateStatusAsync(cluster, Pods, ns, name, FieldOwner.Scheduler, existing =>
                {
                    PodConditions.Set(existing, PodConditions.DisruptionTarget, "True", "PreemptionByScheduler",
                        $"{schedulerName}: preempting to accommodate a higher priority pod", time.GetUtcNow());
                    return existing;
                }, cancellationToken);
                await objects.DeleteObjectAsync(cluster, Pods, ns, name, DeleteOptions.Default with { PreconditionUid = metadata["uid"].AsText() }, cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
            {
                return; // gone already, or replaced by another pod of the name
            }
            await events.RecordAsync(cluster, victim, EventRecorder.Normal, "Preempted", $"Preempted by pod {uid} on node {node}",
                Scheduler.DefaultSchedulerName, cancellationToken);
        }));
    }
}
