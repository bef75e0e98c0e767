using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>The Deployment controller's writes to ReplicaSets: the new set made or brought up to date, and sets scaled.</summary>
internal sealed partial class DeploymentController
{
    /// <summary>The set whose template is the Deployment's (the oldest, should there be several).</summary>
    private static JsonObject? FindNew(Rollout rollout) =>
        OldestFirst(rollout.Sets).FirstOrDefault(s => PodTemplateHash.SameTemplate(s["spec"]?["template"], rollout.Spec["template"]));

    /// <summary>
    /// Finds the new set and numbers it one past the highest old revision (a rollback renumbers the old set it
    /// returns to), copies the Deployment's annotations onto it, and gives the Deployment the same revision. With
    /// <paramref name="create"/>, a missing new set is made. False when a name collision means trying again.
    /// </summary>
    private async Task<bool> SyncRevisionAsync(Rollout rollout, bool create, CancellationToken cancellationToken)
    {
        rollout.New = FindNew(rollout);
        var newRevision = rollout.Old.Select(s => Annotation(s, DeploymentAnnotations.Revision) ?? 0).DefaultIfEmpty(0).Max() + 1;
        string? createdMessage = null;
        if (rollout.New is { } existing)
        {
            if (NeedsAnnotations(rollout, existing, newRevision, exists: true)
                || (existing["spec"]?["minReadySeconds"].AsLong() ?? 0) != (rollout.Spec["minReadySeconds"].AsLong() ?? 0))
            {
                var metadata = existing["metadata"]!;
                var updated = await objects.UpdateObjectAsync(cluster, Sets, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
                    FieldOwner.ControllerManager, current =>
                    {
                        SetAnnotations(rollout, current, newRevision, exists: true);
                        var spec = (JsonObject)current["spec"]!;
                        spec.Remove("minReadySeconds");
                        if (rollout.Spec["minReadySeconds"] is { } minReady)
                        {
                            spec["minReadySeconds"] = minReady.DeepClone();
                        }
                        return current;
                    }, cancellationToken);
                rollout.Replace(existing, updated);
            }
        }
        else if (create)
        {
            if (await CreateNewSetAsync(rollout, newRevision, cancellationToken) is not { } created)
            {
                return false;
            }
            rollout.Sets.Add(created);
            rollout.New = created;
            createdMessage = $"Created new replica set \"{created["metadata"]!["name"]}\"";
        }
        else
        {
            return false;
        }
        var revision = rollout.New["metadata"]?["annotations"]?[DeploymentAnnotations.Revision].AsText();
        var deploymentStatus = rollout.Deployment["status"] as JsonObject ?? [];
        var progressing = DeploymentConditions.Find(deploymentStatus, DeploymentConditions.Progressing);
        var hasDeadline = HasProgressDeadline(rollout);
        if (rollout.Deployment["metadata"]?["annotations"]?[DeploymentAnnotations.Revision].AsText() == revision
            && (!hasDeadline || (progressing is not null && createdMessage is null)))
        {
            return true;
        }
        await WriteStatusAsync(rollout, deployment =>
        {
            var metadata = (JsonObject)deployment["metadata"]!;
            var annotations = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
            annotations[DeploymentAnnotations.Revision] = revision;
            var status = deployment["status"] as JsonObject ?? (JsonObject)(deployment["status"] = new JsonObject());
            if (hasDeadline && createdMessage is not null)
            {
                DeploymentConditions.Set(status, DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetCreated, createdMessage, time.GetUtcNow());
            }
            else if (hasDeadline && DeploymentConditions.Find(status, DeploymentConditions.Progressing) is null)
            {
                DeploymentConditions.Set(status, DeploymentConditions.Progressing, "True", DeploymentConditions.FoundNewReplicaSet,
                    $"Found new replica set \"{rollout.New["metadata"]!["name"]}\"", time.GetUtcNow());
            }
        }, cancellationToken);
        return true;
    }

    /// <summary>
    /// Makes the set for the Deployment's current template, named <c>&lt;deployment&gt;-&lt;hash&gt;</c>. When that
    /// name is taken by a set that is not this template's, the Deployment's collision count goes up (so the next
    /// hash differs) and null is returned.
    /// </summary>
    private async Task<JsonObject?> CreateNewSetAsync(Rollout rollout, long revision, CancellationToken cancellationToken)
    {
        var deployment = rollout.Deployment;
        var collisions = deployment["status"]?["collisionCount"].AsLong();
        var hash = PodTemplateHash.Compute(rollout.Spec["template"], collisions);
        var template = (JsonObject)rollout.Spec["template"]!.DeepClone();
        var templateMetadata = template["metadata"] as JsonObject ?? (JsonObject)(template["metadata"] = new JsonObject());
        var labels = templateMetadata["labels"] as JsonObject ?? (JsonObject)(templateMetadata["labels"] = new JsonObject());
        labels[PodTemplateHash.Label] = hash;
        var selector = (JsonObject)rollout.Spec["selector"]!.DeepClone();
        var matchLabels = selector["matchLabels"] as JsonObject ?? (JsonObject)(selector["matchLabels"] = new JsonObject());
        matchLabels[PodTemplateHash.Label] = hash;
        var ns = deployment["metadata"]!["namespace"]!.GetValue<string>();
        var name = $"{deployment["metadata"]!["name"]}-{hash}";
        var size = rollout.Rolling
            ? RolloutArithmetic.NewReplicaSetSize(rollout.Replicas, rollout.Fenceposts.Surge, 0, rollout.Sets.Select(Counts))
            : rollout.Replicas;
        var set = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = labels.DeepClone(),
                ["ownerReferences"] = new JsonArray(ControlledObjects.ReferenceTo(deployment)),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = size,
                ["selector"] = selector,
                ["template"] = template,
            },
        };
        if (rollout.Spec["minReadySeconds"] is { } minReady)
        {
            ((JsonObject)set["spec"]!)["minReadySeconds"] = minReady.DeepClone();
        }
        SetAnnotations(rollout, set, revision, exists: false);
        JsonObject created;
        try
        {
            created = await objects.CreateObjectAsync(cluster, Sets, ns, set, FieldOwner.ControllerManager, dryRun: false, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "AlreadyExists")
        {
            var taken = await objects.GetObjectAsync(cluster, Sets, ns, name, cancellationToken);
            if (taken is not null && ControlledObjects.ControllerReference(taken)?["uid"].AsText() == deployment["metadata"]!["uid"].AsText()
                && PodTemplateHash.SameTemplate(taken["spec"]?["template"], rollout.Spec["template"]))
            {
                return taken; // made by an earlier pass that the informer has not shown yet
            }
            await WriteStatusAsync(rollout, current =>
            {
                var status = current["status"] as JsonObject ?? (JsonObject)(current["status"] = new JsonObject());
                status["collisionCount"] = (status["collisionCount"].AsLong() ?? 0) + 1;
            }, cancellationToken);
            return null;
        }
        if (size > 0)
        {
            await RecordScalingAsync(rollout, name, "up", 0, size, cancellationToken);
        }
        return created;
    }

    private static bool NeedsAnnotations(Rollout rollout, JsonObject set, long revision, bool exists)
    {
        var copy = (JsonObject)set.DeepClone();
        SetAnnotations(rollout, copy, revision, exists);
        return !JsonNode.DeepEquals(copy["metadata"]?["annotations"], set["metadata"]?["annotations"]);
    }

    /// <summary>
    /// The new set's annotations: the Deployment's own (but the controller's and kubectl's), the revision (an
    /// older one it had goes to the revision history), and for a set being made, the sizes it is made for.
    /// </summary>
    private static void SetAnnotations(Rollout rollout, JsonObject set, long revision, bool exists)
    {
        var metadata = (JsonObject)set["metadata"]!;
        var annotations = metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject());
        foreach (var (name, value) in rollout.Deployment["metadata"]?["annotations"] as JsonObject ?? [])
        {
            if (!DeploymentAnnotations.NotCopied.Contains(name))
            {
                annotations[name] = value?.DeepClone();
            }
        }
        var old = annotations[DeploymentAnnotations.Revision].AsText();
        if (!long.TryParse(old, out var oldRevision) || oldRevision < revision)
        {
            annotations[DeploymentAnnotations.Revision] = revision.ToString(CultureInfo.InvariantCulture);
            if (old is { Length: > 0 })
            {
                var history = annotations[DeploymentAnnotations.RevisionHistory].AsText();
                annotations[DeploymentAnnotations.RevisionHistory] = history is { Length: > 0 } ? $"{history},{old}" : old;
            }
        }
        if (!exists)
        {
            SetSizeAnnotations(rollout, annotations);
        }
    }

    private static void SetSizeAnnotations(Rollout rollout, JsonObject annotations)
    {
        annotations[DeploymentAnnotations.DesiredReplicas] = rollout.Replicas.ToString(CultureInfo.InvariantCulture);
        annotations[DeploymentAnnotations.MaxReplicas] = (rollout.Replicas + rollout.Fenceposts.Surge).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Sets a set's size and the sizes it is made for; true when the size changed.</summary>
    private async Task<bool> ScaleSetAsync(Rollout rollout, JsonObject set, long size, CancellationToken cancellationToken)
    {
        var counts = Counts(set);
        var desired = Annotation(set, DeploymentAnnotations.DesiredReplicas);
        var max = Annotation(set, DeploymentAnnotations.MaxReplicas);
        if (counts.Replicas == size && desired == rollout.Replicas && max == rollout.Replicas + rollout.Fenceposts.Surge)
        {
            return false;
        }
        var metadata = set["metadata"]!;
        var updated = await objects.UpdateObjectAsync(cluster, Sets, metadata["namespace"].AsText(), counts.Name, FieldOwner.ControllerManager,
            current =>
            {
                ((JsonObject)current["spec"]!)["replicas"] = size;
                var currentMetadata = (JsonObject)current["metadata"]!;
                SetSizeAnnotations(rollout, currentMetadata["annotations"] as JsonObject ?? (JsonObject)(currentMetadata["annotations"] = new JsonObject()));
                return current;
            }, cancellationToken);
        rollout.Replace(set, updated);
        if (counts.Replicas == size)
        {
            return false;
        }
        await RecordScalingAsync(rollout, counts.Name, size > counts.Replicas ? "up" : "down", counts.Replicas, size, cancellationToken);
        return true;
    }

    private Task RecordScalingAsync(Rollout rollout, string set, string direction, long from, long to, CancellationToken cancellationToken) =>
        events.RecordAsync(cluster, rollout.Deployment, EventRecorder.Normal, "ScalingReplicaSet",
            $"Scaled {direction} replica set {set} from {from} to {to}", Component, cancellationToken);
}
