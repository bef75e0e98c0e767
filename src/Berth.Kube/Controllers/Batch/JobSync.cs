using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// One reconcile of a Job, as Kubernetes' Job controller keeps it while it syncs: the Job (replaced by what each
/// status write returns), its pods, the status being built, and the counts so far.
/// </summary>
internal sealed class JobSync
{
    public JobSync(string key, JsonObject job, List<JsonObject> pods, FinalizerExpectations finalizers)
    {
        Key = key;
        Job = job;
        Pods = pods;
        Status = job["status"]?.DeepClone() as JsonObject ?? [];
        UncountedSucceeded = Uids(Status["uncountedTerminatedPods"]?["succeeded"]);
        UncountedFailed = Uids(Status["uncountedTerminatedPods"]?["failed"]);
        ActivePods = pods.Where(JobPods.IsActive).ToList();
        Active = ActivePods.Count;
        Ready = ActivePods.Count(JobPods.IsReady);
        Terminating = pods.Count(JobPods.IsTerminating);
        Completions = job["spec"]?["completions"].AsLong();
        // the pods finished since the status last counted them, and not counted in this sync yet
        var tracked = pods.Where(p => JobPods.HasTrackingFinalizer(p) && !finalizers.IsExpected(key, JobPods.Uid(p))
            && (!JobPods.IsIndexed(job) || JobPods.Of(p, Completions ?? 0) is not null)).ToList();
        NewSucceeded = tracked.Where(p => JobPods.Phase(p) == "Succeeded" && !UncountedSucceeded.Contains(JobPods.Uid(p))).ToList();
        NewFailed = tracked.Where(p => JobPods.IsFailed(p, job) && !UncountedFailed.Contains(JobPods.Uid(p))).ToList();
        if (JobPods.IsIndexed(job))
        {
            SucceededIndexes = CompletionIndexes.Parse(Status["completedIndexes"].AsText(), Completions ?? 0);
            SucceededIndexes.UnionWith(NewSucceeded.Select(p => JobPods.Of(p, Completions ?? 0)!.Value));
            Succeeded = SucceededIndexes.Count;
        }
        else
        {
            Succeeded = (Status["succeeded"].AsLong() ?? 0) + NewSucceeded.Count + UncountedSucceeded.Count;
        }
        Failed = (Status["failed"].AsLong() ?? 0) + NewFailed.Count + UncountedFailed.Count;
    }

    public string Key { get; }

    public JsonObject Job { get; set; }

    public List<JsonObject> Pods { get; }

    public List<JsonObject> ActivePods { get; }

    /// <summary>The status as this sync will write it.</summary>
    public JsonObject Status { get; }

    public HashSet<string> UncountedSucceeded { get; }

    public HashSet<string> UncountedFailed { get; }

    public List<JsonObject> NewSucceeded { get; }

    public List<JsonObject> NewFailed { get; }

    /// <summary>The succeeded indexes of an Indexed Job, with those newly seen.</summary>
    public SortedSet<int> SucceededIndexes { get; } = [];

    public long? Completions { get; }

    public long Active { get; set; }

    public long Ready { get; set; }

    public long Terminating { get; set; }

    public long Succeeded { get; }

    public long Failed { get; }

    /// <summary>The condition that finishes the Job, once this sync has found one.</summary>
    public JobConditions.Pending? Finished { get; set; }

    public PodFailureBackoff Backoff { get; set; } = PodFailureBackoff.None;

    public bool Suspended => Job["spec"]?["suspend"].AsBool() == true;

    private static HashSet<string> Uids(JsonNode? list) =>
        new((list as JsonArray ?? []).Select(u => u.AsText()).OfType<string>(), StringComparer.Ordinal);
}
