using System.Text.Json.Nodes;
using Berth.Kube.Controllers.Batch;

namespace Berth.Kube.Tests.Controllers.Batch;

public sealed class JobPodsTests
{
    private static JsonObject Job(string spec) => new() { ["metadata"] = new JsonObject { ["name"] = "pi", ["uid"] = "u1" }, ["spec"] = JsonNode.Parse(spec) };

    private static JsonObject Pod(string phase, int? index = null, bool deleting = false, int restarts = 0, string name = "p") => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["uid"] = name,
            ["creationTimestamp"] = "2026-01-01T00:00:00Z",
            ["annotations"] = index is { } i ? new JsonObject { [CompletionIndexes.Annotation] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null,
            ["deletionTimestamp"] = deleting ? "2026-01-01T00:01:00Z" : null,
        },
        ["status"] = new JsonObject
        {
            ["phase"] = phase,
            ["containerStatuses"] = new JsonArray(new JsonObject { ["restartCount"] = restarts }),
        },
    };

    [Theory]
    [InlineData("""{"completions": 5, "parallelism": 2}""", 0, 2)]
    [InlineData("""{"completions": 5, "parallelism": 2}""", 4, 1)] // never more than the completions missing
    [InlineData("""{"completions": 5, "parallelism": 2}""", 6, 0)]
    [InlineData("""{"parallelism": 3}""", 0, 3)] // a work queue
    public void WantActive_IsBoundedByParallelismAndMissingCompletions(string spec, long succeeded, long expected)
    {
        Assert.Equal(expected, JobPods.WantActive(Job(spec), active: 2, succeeded));
    }

    [Fact]
    public void WantActive_OfAWorkQueue_AddsNoneOnceOneSucceeded()
    {
        Assert.Equal(1, JobPods.WantActive(Job("""{"parallelism": 3}"""), active: 1, succeeded: 1));
    }

    [Fact]
    public void IsFailed_CountsPodsDeletedBeforeTheySucceeded_UnlessOnlyFailedAreReplaced()
    {
        var job = Job("""{"completions": 1}""");
        Assert.True(JobPods.IsFailed(Pod("Failed"), job));
        Assert.True(JobPods.IsFailed(Pod("Running", deleting: true), job));
        Assert.False(JobPods.IsFailed(Pod("Succeeded", deleting: true), job));
        Assert.False(JobPods.IsFailed(Pod("Running", deleting: true), Job("""{"podReplacementPolicy": "Failed"}""")));
    }

    [Fact]
    public void PastBackoffLimitOnFailure_SumsTheRestartsOfLivePods()
    {
        var job = Job("""{"backoffLimit": 3, "template": {"spec": {"restartPolicy": "OnFailure"}}}""");
        Assert.False(JobPods.PastBackoffLimitOnFailure(job, [Pod("Running", restarts: 1), Pod("Pending", restarts: 1), Pod("Failed", restarts: 5)]));
        Assert.True(JobPods.PastBackoffLimitOnFailure(job, [Pod("Running", restarts: 2), Pod("Pending", restarts: 1)]));
        Assert.False(JobPods.PastBackoffLimitOnFailure(Job("""{"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never"}}}"""), [Pod("Running", restarts: 4)]));
    }

    [Fact]
    public void ForRemoval_OfAnIndexedJob_TakesDuplicateAndOutOfRangeIndexesFirst()
    {
        var job = Job("""{"completions": 3, "completionMode": "Indexed"}""");
        var pods = new List<JsonObject> { Pod("Running", 0, name: "a"), Pod("Pending", 0, name: "b"), Pod("Running", 7, name: "c"), Pod("Running", 1, name: "d") };
        var removed = JobPods.ForRemoval(job, pods, 0).Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["b", "c"], removed); // the pending duplicate goes, the running one stays
    }

    [Fact]
    public void NewPod_OfAnIndexedJob_CarriesItsIndex()
    {
        var job = Job("""{"completions": 3, "completionMode": "Indexed", "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}""");
        job["apiVersion"] = "batch/v1";
        job["kind"] = "Job";
        var pod = JobPods.NewPod(job, 2);
        Assert.Equal("pi-2-", pod["metadata"]!["generateName"]!.GetValue<string>());
        Assert.Equal("2", pod["metadata"]!["labels"]![CompletionIndexes.Annotation]!.GetValue<string>());
        Assert.Equal("pi-2", pod["spec"]!["hostname"]!.GetValue<string>());
        Assert.Equal(JobPods.TrackingFinalizer, pod["metadata"]!["finalizers"]![0]!.GetValue<string>());
        Assert.Equal("JOB_COMPLETION_INDEX", pod["spec"]!["containers"]![0]!["env"]![0]!["name"]!.GetValue<string>());
    }
}
