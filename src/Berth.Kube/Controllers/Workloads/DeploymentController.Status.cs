using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>The Deployment controller's writes to the Deployment: its counts, its conditions and the progress deadline.</summary>
internal sealed partial class DeploymentController
{
    /// <summary>Kubernetes' "no deadline" for <c>progressDeadlineSeconds</c>.</summary>
    private const long NoDeadline = int.MaxValue;

    private static bool HasProgressDeadline(Rollout rollout) =>
        rollout.Spec["progressDeadlineSeconds"].AsLong() is { } seconds && seconds != NoDeadline;

    /// <summary>
    /// Progressing becomes Unknown/DeploymentPaused when the Deployment is paused and Unknown/DeploymentResumed when
    /// it is resumed, unless the deadline has already been reported exceeded. True when it wrote.
    /// </summary>
    private async Task<bool> SyncPausedConditionAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        if (!HasProgressDeadline(rollout))
        {
            return false;
        }
        var status = rollout.Deployment["status"] as JsonObject ?? [];
        var reason = DeploymentConditions.Find(status, DeploymentConditions.Progressing)?["reason"].AsText();
        if (reason == DeploymentConditions.ProgressDeadlineExceeded)
        {
            return false;
        }
        var paused = rollout.Spec["paused"]?.GetValue<bool>() == true;
        var (newReason, message) = (paused, reason == DeploymentConditions.DeploymentPaused) switch
        {
            (true, false) => (DeploymentConditions.DeploymentPaused, "Deployment is paused"),
            (false, true) => (DeploymentConditions.DeploymentResumed, "Deployment is resumed"),
            _ => (null, null),
        };
        if (newReason is null)
        {
            return false;
        }
        await WriteStatusAsync(rollout, deployment =>
        {
            var current = deployment["status"] as JsonObject ?? (JsonObject)(deployment["status"] = new JsonObject());
            DeploymentConditions.Set(current, DeploymentConditions.Progressing, "Unknown", newReason, message!, time.GetUtcNow());
        }, cancellationToken);
        return true;
    }

    /// <summary>The counts and the Available condition, as a Deployment that is only resized or paused gets them.</summary>
    private async Task SyncStatusAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        var status = CalculateStatus(rollout);
        if (!JsonNode.DeepEquals(status, rollout.Deployment["status"]))
        {
            await WriteStatusAsync(rollout, deployment => deployment["status"] = status.DeepClone(), cancellationToken);
        }
    }

    /// <summary>
    /// The counts and both conditions: Progressing is True/NewReplicaSetAvailable once the rollout is complete,
    /// True/ReplicaSetUpdated (with a fresh update time) while it moves, and False/ProgressDeadlineExceeded when it
    /// has not moved for <c>progressDeadlineSeconds</c>; a rollout still in time is looked at again when it would run out.
    /// </summary>
    private async Task SyncRolloutStatusAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        var status = CalculateStatus(rollout);
        var now = time.GetUtcNow();
        var hasDeadline = HasProgressDeadline(rollout);
        if (!hasDeadline)
        {
            DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
        }
        var current = DeploymentConditions.Find(status, DeploymentConditions.Progressing);
        var setName = rollout.New?["metadata"]?["name"].AsText();
        var subject = setName is null ? $"Deployment \"{rollout.Deployment["metadata"]!["name"]}\"" : $"ReplicaSet \"{setName}\"";
        var complete = Count(status, "replicas") == Count(status, "updatedReplicas") && current?["reason"].AsText() == DeploymentConditions.NewReplicaSetAvailable;
        if (hasDeadline && !complete)
        {
            if (IsComplete(rollout.Deployment, status))
            {
                DeploymentConditions.Set(status, DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetAvailable,
                    $"{subject} has successfully progressed.", now);
            }
            else if (IsProgressing(rollout.Deployment["status"], status))
            {
                DeploymentConditions.Replace(status, DeploymentConditions.Progressing, "True", DeploymentConditions.ReplicaSetUpdated,
                    $"{subject} is progressing.", now, current?["status"].AsText() == "True" ? current["lastTransitionTime"].AsText() : null);
            }
            else if (DeadlineLeft(rollout, status, now) is { } left && left <= TimeSpan.Zero)
            {
                DeploymentConditions.Set(status, DeploymentConditions.Progressing, "False", DeploymentConditions.ProgressDeadlineExceeded,
                    $"{subject} has timed out progressing.", now);
            }
        }
        if (!JsonNode.DeepEquals(status, rollout.Deployment["status"]))
        {
            await WriteStatusAsync(rollout, deployment => deployment["status"] = status.DeepClone(), cancellationToken);
            return;
        }
        if (hasDeadline && !IsComplete(rollout.Deployment, status) && DeadlineLeft(rollout, status, now) is { } remaining && remaining > TimeSpan.Zero)
        {
            _queue.AddAfter(ObjectStorage.Key(cluster, Deployments, rollout.Deployment["metadata"]!["namespace"].AsText(),
                rollout.Deployment["metadata"]!["name"]!.GetValue<string>()), remaining + TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>How long the rollout has before its deadline, from the Progressing condition's last update; null when not timing.</summary>
    private static TimeSpan? DeadlineLeft(Rollout rollout, JsonObject status, DateTimeOffset now)
    {
        if (DeploymentConditions.Find(status, DeploymentConditions.Progressing) is not { } condition
            || condition["reason"].AsText() is DeploymentConditions.NewReplicaSetAvailable or DeploymentConditions.ProgressDeadlineExceeded
            || DeploymentConditions.LastUpdate(condition) is not { } since)
        {
            return null;
        }
        return since + TimeSpan.FromSeconds(rollout.Spec["progressDeadlineSeconds"].AsLong() ?? 0) - now;
    }

    private JsonObject CalculateStatus(Rollout rollout)
    {
        var sets = rollout.Sets.Select(Counts).ToList();
        var available = sets.Sum(s => s.Available);
        var status = new JsonObject
        {
            ["observedGeneration"] = rollout.Deployment["metadata"]?["generation"]?.DeepClone(),
            ["replicas"] = sets.Sum(s => s.Current),
            ["updatedReplicas"] = rollout.New is { } newSet ? Counts(newSet).Current : 0,
            ["readyReplicas"] = sets.Sum(s => s.Ready),
            ["availableReplicas"] = available,
            ["unavailableReplicas"] = Math.Max(0, rollout.Replicas - available),
        };
        // zero counts are left out, as Kubernetes leaves them out of a Deployment's status
        foreach (var field in new[] { "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas" })
        {
            if (status[field].AsLong() == 0)
            {
                status.Remove(field);
            }
        }
        var previous = rollout.Deployment["status"];
        if (previous?["conditions"] is { } conditions)
        {
            status["conditions"] = conditions.DeepClone();
        }
        if (previous?["collisionCount"] is { } collisions)
        {
            status["collisionCount"] = collisions.DeepClone();
        }
        var now = time.GetUtcNow();
        if (available >= rollout.Replicas - rollout.MaxUnavailable)
        {
            DeploymentConditions.Set(status, DeploymentConditions.Available, "True", DeploymentConditions.MinimumReplicasAvailable, "Deployment has minimum availability.", now);
        }
        else
        {
            DeploymentConditions.Set(status, DeploymentConditions.Available, "False", DeploymentConditions.MinimumReplicasUnavailable,
                "Deployment does not have minimum availability.", now);
        }
        return status;
    }

    /// <summary>Every replica updated and available, and the latest spec observed.</summary>
    private static bool IsComplete(JsonObject deployment, JsonNode? status)
    {
        var replicas = deployment["spec"]?["replicas"].AsLong() ?? 1;
        return Count(status, "updatedReplicas") == replicas && Count(status, "replicas") == replicas && Count(status, "availableReplicas") == replicas
            && (status?["observedGeneration"].AsLong() ?? 0) >= (deployment["metadata"]?["generation"].AsLong() ?? 0);
    }

    /// <summary>More pods updated, ready or available than before, or fewer old ones.</summary>
    private static bool IsProgressing(JsonNode? before, JsonObject after) =>
        Count(after, "replicas") - Count(after, "updatedReplicas") < Count(before, "replicas") - Count(before, "updatedReplicas")
        || Count(after, "updatedReplicas") > Count(before, "updatedReplicas")
        || Count(after, "readyReplicas") > Count(before, "readyReplicas")
        || Count(after, "availableReplicas") > Count(before, "availableReplicas");

    private static long Count(JsonNode? status, string field) => status?[field].AsLong() ?? 0;

    /// <summary>Writes through the status subresource, so the Deployment's generation stays; the rollout sees the result.</summary>
    private async Task WriteStatusAsync(Rollout rollout, Action<JsonObject> change, CancellationToken cancellationToken)
    {
        var metadata = rollout.Deployment["metadata"]!;
        rollout.Deployment = await objects.UpdateStatusAsync(cluster, Deployments, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
            FieldOwner.ControllerManager, current =>
            {
                change(current);
                return current;
            }, cancellationToken);
    }
}
