using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// Jobs run as real containers on two Podman nodes, driven with the stock kubectl: a Job runs its pods to the
/// completions asked for, a failing one stops at its backoff limit, one past its deadline is stopped, and a finished
/// Job with a TTL is deleted.
/// </summary>
public sealed class JobTests(PodmanClusterFixture cluster) : IClassFixture<PodmanClusterFixture>
{
    private Kubectl Kubectl => cluster.Kubectl;

    private static string Job(string name, string command, string extra = "") => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata: {name: {{name}}}
        spec:
          {{extra}}
          template:
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              containers:
              - {name: work, image: {{PodmanClusterFixture.Image}}, command: ["sh", "-c", "{{command}}"]}
        """;

    [Fact]
    public async Task Job_RunsItsCompletions_AndIsComplete()
    {
        await Kubectl.CreateAsync(Job("done", "echo done", "completions: 3\n  parallelism: 2"));
        await Kubectl.SucceedAsync("wait", "--for=condition=complete", "job/done", "--timeout=120s");

        Assert.Equal("done", (await Kubectl.SucceedAsync("logs", "job/done")).Trim());
        Assert.Equal("3 SuccessCriteriaMet Complete CompletionsReached", await Kubectl.SucceedAsync("get", "job/done", "-o",
            "jsonpath={.status.succeeded} {.status.conditions[*].type} {.status.conditions[1].reason}"));
        var pods = (await Kubectl.SucceedAsync("get", "pods", "-l", "job-name=done", "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.metadata.finalizers}{\"\\n\"}{end}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, pods.Length);
        Assert.All(pods, p => Assert.Matches("^done-[a-z0-9]{5} Succeeded $", p)); // counted, so the tracking finalizer is gone
        var events = await Kubectl.SucceedAsync("get", "events", "--field-selector", "involvedObject.name=done", "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
        Assert.Contains($"SuccessfulCreate: Created pod: {pods[0].Split(' ')[0]}", events, StringComparison.Ordinal);
        Assert.Contains("Completed: Job completed", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingJob_StopsAtItsBackoffLimit()
    {
        await Kubectl.CreateAsync(Job("fails", "exit 3", "backoffLimit: 1"));
        await Kubectl.SucceedAsync("wait", "--for=condition=failed", "job/fails", "--timeout=120s");

        Assert.Equal("2 BackoffLimitExceeded Job has reached the specified backoff limit", await Kubectl.SucceedAsync("get", "job/fails", "-o",
            "jsonpath={.status.failed} {.status.conditions[?(@.type==\"Failed\")].reason} {.status.conditions[?(@.type==\"Failed\")].message}"));
        Assert.Equal("Failed Failed", await Kubectl.SucceedAsync("get", "pods", "-l", "job-name=fails", "-o", "jsonpath={.items[*].status.phase}"));
        var events = await Kubectl.SucceedAsync("get", "events", "--field-selector", "involvedObject.name=fails,type=Warning", "-o", "jsonpath={.items[*].reason}");
        Assert.Contains("BackoffLimitExceeded", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobPastItsDeadline_IsStopped()
    {
        await Kubectl.CreateAsync(Job("slow", "sleep 300", "activeDeadlineSeconds: 2"));
        await Kubectl.SucceedAsync("wait", "--for=condition=failed", "job/slow", "--timeout=120s");

        Assert.Equal("DeadlineExceeded Job was active longer than specified deadline", await Kubectl.SucceedAsync("get", "job/slow", "-o",
            "jsonpath={.status.conditions[?(@.type==\"Failed\")].reason} {.status.conditions[?(@.type==\"Failed\")].message}"));
        // its running pod was deleted, and is gone once its container stopped
        await Kubectl.SucceedAsync("wait", "--for=delete", "pod", "-l", "job-name=slow", "--timeout=60s");
        Assert.Equal("1", await Kubectl.SucceedAsync("get", "job/slow", "-o", "jsonpath={.status.failed}"));
    }

    [Fact]
    public async Task FinishedJobWithATtl_IsDeletedWithItsPods()
    {
        await Kubectl.CreateAsync(Job("brief", "true", "ttlSecondsAfterFinished: 1"));
        await Kubectl.SucceedAsync("wait", "--for=delete", "job/brief", "--timeout=120s");
        // deleted in the foreground: the Job goes only after its pods
        Assert.Equal("", await Kubectl.SucceedAsync("get", "pods", "-l", "job-name=brief", "-o", "name"));
    }
}
