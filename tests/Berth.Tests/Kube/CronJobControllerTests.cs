namespace Berth.Tests.Kube;

/// <summary>
/// A CronJob applied with kubectl starts a Job at its next minute, named after that minute and owned by it, and
/// <c>kubectl create job --from=cronjob/…</c> makes one from its template at once; the Job controller gives each
/// Job its pod, labelled and held by the tracking finalizer.
/// </summary>
public sealed class CronJobControllerTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private const string Namespace = "cron";

    [Fact]
    public async Task CronJob_StartsAJobOnSchedule_AndOnDemand()
    {
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {Namespace}}}");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync($$$"""
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: tick, namespace: {{{Namespace}}}}
            spec:
              schedule: "* * * * *"
              jobTemplate:
                metadata: {labels: {app: tick}}
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers:
                      - {name: c, image: busybox, command: ["date"]}
            """));

        // on demand: kubectl makes the Job from the template itself
        await Kubectl.SucceedAsync("create", "job", "now", "-n", Namespace, "--from=cronjob/tick");
        Assert.Equal("manual CronJob/tick", await Kubectl.SucceedAsync("get", "job/now", "-n", Namespace, "-o",
            "jsonpath={.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}"));
        await Kubectl.SucceedAsync("wait", "-n", Namespace, "--for=jsonpath={.status.active}=1", "job/now", "--timeout=30s");
        var pod = await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "job-name=now", "-o",
            "jsonpath={.items[0].metadata.name} {.items[0].metadata.labels.batch\\.kubernetes\\.io/job-name} {.items[0].metadata.finalizers[0]} {.items[0].metadata.ownerReferences[0].blockOwnerDeletion}");
        Assert.Matches("^now-[a-z0-9]{5} now batch.kubernetes.io/job-tracking true$", pod);

        // on schedule: within the next minute
        await Kubectl.SucceedAsync("wait", "-n", Namespace, "--for=jsonpath={.status.lastScheduleTime}", "cronjob/tick", "--timeout=90s");
        var job = await Kubectl.SucceedAsync("get", "cronjob/tick", "-n", Namespace, "-o", "jsonpath={.status.active[0].name}");
        var scheduled = DateTimeOffset.Parse(await Kubectl.SucceedAsync("get", "cronjob/tick", "-n", Namespace, "-o", "jsonpath={.status.lastScheduleTime}"),
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"tick-{scheduled.ToUnixTimeSeconds() / 60}", job);
        Assert.Equal($"{scheduled.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} tick", await Kubectl.SucceedAsync("get", "job/" + job, "-n", Namespace, "-o",
            "jsonpath={.metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp} {.metadata.labels.app}"));
        var events = await Kubectl.SucceedAsync("get", "events", "-n", Namespace, "--field-selector", "involvedObject.kind=CronJob", "-o", "jsonpath={.items[*].message}");
        Assert.Contains($"Created job {job}", events, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CronJob_WithATimeZoneInItsSchedule_IsRefused()
    {
        var error = await Kubectl.FailAsync("create", "cronjob", "zoned", "--image=busybox", "--schedule=CRON_TZ=UTC 0 * * * *");
        Assert.Contains("cannot use TZ or CRON_TZ in schedule, use timeZone field instead", error, StringComparison.Ordinal);
    }
}
