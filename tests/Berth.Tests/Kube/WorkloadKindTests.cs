namespace Berth.Tests.Kube;

/// <summary>StatefulSets, DaemonSets, Jobs and CronJobs: defaulted, checked and printed as Kubernetes does.</summary>
public sealed class WorkloadKindTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    [Fact]
    public async Task WorkloadKinds_AreAppliedDefaultedAndPrinted()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: kinds}");
        const string manifest = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: kinds}
            spec:
              replicas: 2
              selector: {matchLabels: {app: w}}
              template:
                metadata: {labels: {app: w}}
                spec:
                  containers: [{name: c, image: busybox:1.36}]
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: kinds}
            spec:
              selector: {matchLabels: {app: w}}
              template:
                metadata: {labels: {app: w}}
                spec:
                  containers: [{name: c, image: busybox:1.36}]
            ---
            apiVersion: batch/v1
            kind: Job
            metadata: {name: once, namespace: kinds}
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: c, image: busybox:1.36}]
            ---
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly, namespace: kinds}
            spec:
              schedule: "0 3 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: c, image: busybox:1.36}]
            """;

        var applied = await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(manifest));
        var table = await Kubectl.SucceedAsync("get", "sts,ds,jobs,cj", "-n", "kinds");
        var job = await Kubectl.SucceedAsync("get", "job", "once", "-n", "kinds", "-o",
            "jsonpath={.spec.backoffLimit} {.spec.completions} {.spec.template.metadata.labels.job-name}");
        var sts = await Kubectl.SucceedAsync("get", "sts", "db", "-n", "kinds", "-o", "jsonpath={.spec.podManagementPolicy} {.spec.updateStrategy.type}");

        Assert.Contains("statefulset.apps/db created", applied, StringComparison.Ordinal);
        Assert.Contains("cronjob.batch/nightly created", applied, StringComparison.Ordinal);
        Assert.Matches(@"statefulset\.apps/db\s+0/2\s+\d+s", table);
        Assert.Matches(@"daemonset\.apps/agent\s+0\s+0\s+0\s+0\s+0\s+<none>\s+\d+s", table);
        Assert.Matches(@"job\.batch/once\s+Running\s+0/1\s+\d+s", table);
        Assert.Matches(@"cronjob\.batch/nightly\s+0 3 \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\d+s", table);
        Assert.Equal("6 1 once", job);
        Assert.Equal("OrderedReady RollingUpdate", sts);
    }

    [Fact]
    public async Task Job_ThatRestartsAlways_IsRefused()
    {
        var error = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: batch/v1
            kind: Job
            metadata: {name: forever, namespace: default}
            spec:
              template:
                spec:
                  restartPolicy: Always
                  containers: [{name: c, image: busybox:1.36}]
            """));

        Assert.Contains("spec.template.spec.restartPolicy", error, StringComparison.Ordinal);
    }
}
