using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers.Workloads;
using Berth.Kube.Resources.Core;

namespace Berth.Kube.Controllers.Batch;

/// <summary>What the Job controller reads of a Job's pods and how it makes them, as Kubernetes' Job controller does.</summary>
internal static class JobPods
{
    /// <summary>
    /// Held by every pod a Job makes until the Job has counted it (<c>status.succeeded</c>/<c>failed</c>), so a pod
    /// deleted early, by hand or by the pod garbage collector, is never missed.
    /// </summary>
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";

    private static readonly string[] s_containerLists = ["initContainers", "containers"];

    public static string Phase(JsonObject pod) => pod["status"]?["phase"].AsText() ?? "";

    public static bool IsDeleting(JsonObject pod) => pod["metadata"]?["deletionTimestamp"] is not null;

    public static bool IsFinished(JsonObject pod) => Phase(pod) is "Succeeded" or "Failed";

    /// <summary>Neither finished nor being deleted: a pod that still runs for the Job.</summary>
    public static bool IsActive(JsonObject pod) => !IsFinished(pod) && !IsDeleting(pod);

    public static bool IsTerminating(JsonObject pod) => IsDeleting(pod) && !IsFinished(pod);

    public static bool HasTrackingFinalizer(JsonObject pod) =>
        (pod["metadata"]?["finalizers"] as JsonArray ?? []).Any(f => f.AsText() == TrackingFinalizer);

    public static string Uid(JsonObject obj) => obj["metadata"]!["uid"]!.GetValue<string>();

    /// <summary>
    /// Whether the pod counts as failed: Failed, or deleted before it succeeded (an orphan that never reached a
    /// phase), unless the Job replaces only Failed pods.
    /// </summary>
    public static bool IsFailed(JsonObject pod, JsonObject job) =>
        Phase(pod) == "Failed" || (!OnlyReplacesFailed(job) && IsDeleting(pod) && Phase(pod) != "Succeeded");

    /// <summary><c>podReplacementPolicy: Failed</c>: a replacement waits until the pod it replaces has stopped.</summary>
    public static bool OnlyReplacesFailed(JsonObject job) => job["spec"]?["podReplacementPolicy"].AsText() == "Failed";

    public static bool IsIndexed(JsonObject job) => job["spec"]?["completionMode"].AsText() == "Indexed";

    /// <summary>
    /// With <c>restartPolicy: OnFailure</c> the node restarts failed containers in place, so their restarts count
    /// against <c>backoffLimit</c>: the sum of the restart counts of the pods still pending or running.
    /// </summary>
    public static bool PastBackoffLimitOnFailure(JsonObject job, IEnumerable<JsonObject> pods)
    {
        if (job["spec"]?["template"]?["spec"]?["restartPolicy"].AsText() != "OnFailure")
        {
            return false;
        }
        var restarts = pods.Where(p => Phase(p) is "Pending" or "Running")
            .SelectMany(p => (p["status"]?["initContainerStatuses"] as JsonArray ?? []).Concat(p["status"]?["containerStatuses"] as JsonArray ?? []))
            .Sum(c => c?["restartCount"].AsLong() ?? 0);
        var limit = job["spec"]?["backoffLimit"].AsLong() ?? 6;
        return limit == 0 ? restarts > 0 : restarts >= limit;
    }

    /// <summary>When the pod stopped: its last container's finish, else its deletion, else <paramref name="now"/>.</summary>
    public static DateTimeOffset FinishedAt(JsonObject pod, DateTimeOffset now)
    {
        var finished = (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(c => KubeTime.Parse(c["state"]?["terminated"]?["finishedAt"]))
            .Where(t => t is not null).Max();
        return finished ?? KubeTime.Parse(pod["metadata"]?["deletionTimestamp"]) ?? now;
    }

    /// <summary>How many pods should run: never more than <c>parallelism</c> nor than the completions still missing.</summary>
    public static long WantActive(JsonObject job, long active, long succeeded)
    {
        var parallelism = job["spec"]?["parallelism"].AsLong() ?? 1;
        if (job["spec"]?["completions"].AsLong() is not { } completions)
        {
            // a work queue: once one pod succeeded, those running finish their work, and none is added
            return succeeded > 0 ? active : parallelism;
        }
        return Math.Clamp(completions - succeeded, 0, parallelism);
    }

    /// <summary>
    /// The active pods to delete to be left with at most <c>active − atLeast</c>: for an Indexed Job first those with
    /// an index out of range or held by another pod too, then in <see cref="PodRanking"/> order.
    /// </summary>
    public static List<JsonObject> ForRemoval(JsonObject job, List<JsonObject> active, int atLeast)
    {
        var remove = new List<JsonObject>();
        var left = active;
        if (IsIndexed(job))
        {
            var completions = job["spec"]?["completions"].AsLong() ?? 0;
            left = [];
            foreach (var group in active.GroupBy(p => Of(p, completions)))
            {
                if (group.Key is null)
                {
                    remove.AddRange(group);
                    continue;
                }
                // of the pods holding one index, the one deleted last is kept
                var ranked = PodRanking.DeletionOrder(group).ToList();
                remove.AddRange(ranked.SkipLast(1));
                left.Add(ranked[^1]);
            }
        }
        if (remove.Count < atLeast)
        {
            remove.AddRange(PodRanking.DeletionOrder(left).Take(atLeast - remove.Count));
        }
        return remove;
    }

    /// <summary>The pod's completion index when it is below <paramref name="completions"/>, else null.</summary>
    public static int? Of(JsonObject pod, long completions) => CompletionIndexes.Of(pod) is { } index && index < completions ? index : null;

    /// <summary>
    /// A pod from the Job's template, holding the tracking finalizer. An Indexed Job's pod carries its index
    /// (annotation, label, <c>JOB_COMPLETION_INDEX</c> in every container, hostname <c>&lt;job&gt;-&lt;index&gt;</c>) and is
    /// named <c>&lt;job&gt;-&lt;index&gt;-&lt;random&gt;</c>.
    /// </summary>
    public static JsonObject NewPod(JsonObject job, int? index)
    {
        var pod = PodTemplates.NewPod(job, job["spec"]?["template"] as JsonObject ?? []);
        var metadata = (JsonObject)pod["metadata"]!;
        var finalizers = metadata["finalizers"] as JsonArray ?? (JsonArray)(metadata["finalizers"] = new JsonArray());
        if (!finalizers.Any(f => f.AsText() == TrackingFinalizer))
        {
            finalizers.Add(TrackingFinalizer);
        }
        if (index is not { } i)
        {
            return pod;
        }
        var name = job["metadata"]!["name"]!.GetValue<string>();
        var text = i.ToString(CultureInfo.InvariantCulture);
        var suffix = $"-{text}-";
        // generated names keep 5 of the 63 characters for the random part
        metadata["generateName"] = (name + suffix).Length > 58 ? name[..(58 - suffix.Length)] + suffix : name + suffix;
        (metadata["annotations"] as JsonObject ?? (JsonObject)(metadata["annotations"] = new JsonObject()))[CompletionIndexes.Annotation] = text;
        (metadata["labels"] as JsonObject ?? (JsonObject)(metadata["labels"] = new JsonObject()))[CompletionIndexes.Annotation] = text;
        var spec = (JsonObject)pod["spec"]!;
        spec["hostname"] = $"{name}-{text}";
        foreach (var container in s_containerLists.SelectMany(f => spec[f] as JsonArray ?? []).OfType<JsonObject>())
        {
            var env = container["env"] as JsonArray ?? (JsonArray)(container["env"] = new JsonArray());
            if (!env.Any(e => e?["name"].AsText() == "JOB_COMPLETION_INDEX"))
            {
                env.Add(new JsonObject
                {
                    ["name"] = "JOB_COMPLETION_INDEX",
                    ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = $"metadata.annotations['{CompletionIndexes.Annotation}']" } },
                });
            }
        }
        return pod;
    }

    /// <summary>Whether the pod is Ready, counted in <c>status.ready</c>.</summary>
    public static bool IsReady(JsonObject pod) => PodConditions.IsTrue(pod, PodConditions.Ready);
}
