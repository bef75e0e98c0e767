using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// The revision history of a StatefulSet (or DaemonSet) as ControllerRevisions: each distinct pod template is kept
/// once, as the strategic merge patch that restores it (<c>{"spec":{"template":{…,"$patch":"replace"}}}</c>),
/// named <c>&lt;owner&gt;-&lt;hash&gt;</c> and labelled <c>controller-revision-hash: &lt;hash&gt;</c>; the pods of a revision carry
/// in that label the revision's name (a StatefulSet's) or its hash (a DaemonSet's).
/// Returning to an old template renumbers its revision as the newest, which is how <c>kubectl rollout undo</c> works.
/// </summary>
internal sealed class ControllerRevisions(ResourceHandler objects, ResourceRegistry registry, string cluster)
{
    public const string HashLabel = "controller-revision-hash";

    private ResourceType Revisions => registry.Find("apps", "v1", "controllerrevisions")!;

    /// <summary>The patch a revision holds for <paramref name="owner"/>'s current template.</summary>
    public static JsonObject DataOf(JsonObject owner)
    {
        var template = (JsonObject)(owner["spec"]?["template"]?.DeepClone() ?? new JsonObject());
        template["$patch"] = "replace";
        return new JsonObject { ["spec"] = new JsonObject { ["template"] = template } };
    }

    /// <summary>
    /// The revision of <paramref name="owner"/>'s current template among <paramref name="history"/>, made when there is
    /// none, renumbered as the newest when an older one matches.
    /// </summary>
    public async Task<JsonObject> CurrentAsync(JsonObject owner, List<JsonObject> history, CancellationToken cancellationToken)
    {
        var data = DataOf(owner);
        var newest = history.Count == 0 ? 0 : history.Max(r => r["revision"].AsLong() ?? 0);
        if (history.LastOrDefault(r => JsonNode.DeepEquals(r["data"], data)) is { } existing)
        {
            if ((existing["revision"].AsLong() ?? 0) == newest)
            {
                return existing;
            }
            var metadata = existing["metadata"]!;
            return await objects.UpdateObjectAsync(cluster, Revisions, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
                FieldOwner.ControllerManager, current =>
                {
                    current["revision"] = newest + 1;
                    return current;
                }, cancellationToken);
        }
        var hash = PodTemplateHash.Compute(owner["spec"]?["template"], owner["status"]?["collisionCount"].AsLong());
        var ownerMetadata = owner["metadata"]!;
        var revision = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ControllerRevision",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{ownerMetadata["name"]!.GetValue<string>()}-{hash}",
                ["namespace"] = ownerMetadata["namespace"]?.DeepClone(),
                ["ownerReferences"] = new JsonArray(ControlledObjects.ReferenceTo(owner)),
            },
            ["data"] = data,
            ["revision"] = newest + 1,
        };
        // the template's labels with the hash, and the owner's annotations (its change-cause, for rollout history) go along
        var labels = (JsonObject)(owner["spec"]?["template"]?["metadata"]?["labels"]?.DeepClone() ?? new JsonObject());
        labels[HashLabel] = hash;
        revision["metadata"]!["labels"] = labels;
        if (ownerMetadata["annotations"] is JsonObject annotations)
        {
            revision["metadata"]!["annotations"] = annotations.DeepClone();
        }
        try
        {
            return await objects.CreateObjectAsync(cluster, Revisions, ownerMetadata["namespace"].AsText(), revision, FieldOwner.ControllerManager,
                dryRun: false, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "AlreadyExists")
        {
            return await ExistingAsync(owner, revision, cancellationToken);
        }
    }

    /// <summary>
    /// The revision of that name already stored: made by a pass the informer has not caught up with, when it holds the
    /// same template for the same owner. Otherwise two templates share a hash, and the owner's
    /// <c>status.collisionCount</c> grows so that the next pass hashes differently, as Kubernetes resolves it.
    /// </summary>
    private async Task<JsonObject> ExistingAsync(JsonObject owner, JsonObject revision, CancellationToken cancellationToken)
    {
        var ns = owner["metadata"]!["namespace"].AsText();
        var name = revision["metadata"]!["name"]!.GetValue<string>();
        var stored = await objects.UpdateObjectAsync(cluster, Revisions, ns, name, FieldOwner.ControllerManager, current => current, cancellationToken);
        if (JsonNode.DeepEquals(stored["data"], revision["data"]) && ControlledObjects.ControllerReference(stored)?["uid"].AsText() == owner["metadata"]!["uid"].AsText())
        {
            return stored;
        }
        var ownerType = registry.FindKind(owner["apiVersion"].AsText() ?? "", owner["kind"].AsText() ?? "")!;
        await objects.UpdateStatusAsync(cluster, ownerType, ns, owner["metadata"]!["name"]!.GetValue<string>(), FieldOwner.ControllerManager, current =>
        {
            var status = current["status"] as JsonObject ?? (JsonObject)(current["status"] = new JsonObject());
            status["collisionCount"] = (status["collisionCount"].AsLong() ?? 0) + 1;
            return current;
        }, cancellationToken);
        throw KubeApiException.Conflict(Revisions.Plural, name, "the name of the template's revision is taken by another template");
    }

    /// <summary>Deletes the oldest revisions beyond <paramref name="limit"/>, never one that pods still run.</summary>
    public async Task TruncateAsync(List<JsonObject> history, long limit, IReadOnlySet<string> live, CancellationToken cancellationToken)
    {
        var removable = history.Where(r => !live.Contains(r["metadata"]!["name"]!.GetValue<string>())).ToList();
        foreach (var old in removable.Take(Math.Max(0, removable.Count - (int)Math.Max(0, limit))))
        {
            var metadata = old["metadata"]!;
            try
            {
                await objects.DeleteObjectAsync(cluster, Revisions, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(),
                    DeleteOptions.Default with { PreconditionUid = metadata["uid"].AsText() }, cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
            {
                // gone already
            }
        }
    }
}
