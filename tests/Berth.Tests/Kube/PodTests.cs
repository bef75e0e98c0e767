namespace Berth.Tests.Kube;

/// <summary>Pods and ReplicaSets through the stock kubectl: defaults, printing, what may change.</summary>
public sealed class PodTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static string Pod(string name) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
        spec:
          containers:
          - name: main
            image: busybox:1.36
            resources:
              limits: {cpu: 100m, memory: 64Mi}
        """;

    [Fact]
    public async Task Create_IsPendingWithItsQosClass_AndPrintsPodColumns()
    {
        await Kubectl.CreateAsync(Pod("fresh"));

        var fields = await Kubectl.SucceedAsync("get", "pod", "fresh", "-o",
            "jsonpath={.status.phase} {.status.qosClass} {.spec.containers[0].resources.requests.cpu} {.spec.restartPolicy} {.spec.containers[0].imagePullPolicy}");
        var table = await Kubectl.SucceedAsync("get", "pods", "fresh", "-o", "wide");

        Assert.Equal("Pending Guaranteed 100m Always IfNotPresent", fields);
        Assert.Matches(@"NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES", table);
        Assert.Matches(@"fresh\s+0/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>", table);
    }

    [Fact]
    public async Task StatusColumn_FollowsTheContainers()
    {
        await Kubectl.CreateAsync(Pod("crashing"));

        await Kubectl.SucceedAsync("patch", "pod", "crashing", "--subresource=status", "--type=merge", "-p",
            """{"status":{"phase":"Running","podIP":"10.0.0.5","containerStatuses":[{"name":"main","ready":false,"restartCount":4,"image":"busybox:1.36","imageID":"","state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}""");

        Assert.Matches(@"crashing\s+0/1\s+CrashLoopBackOff\s+4\s+\d+s\s+10\.0\.0\.5", await Kubectl.SucceedAsync("get", "pod", "crashing", "-o", "wide"));
    }

    [Fact]
    public async Task Update_OnlyImagesMayChange()
    {
        await Kubectl.CreateAsync(Pod("fixed"));

        await Kubectl.SucceedAsync("set", "image", "pod/fixed", "main=busybox:1.37");
        var error = await Kubectl.FailAsync("patch", "pod", "fixed", "-p", """{"spec":{"hostname":"other"}}""");

        Assert.Equal("busybox:1.37", await Kubectl.SucceedAsync("get", "pod", "fixed", "-o", "jsonpath={.spec.containers[0].image}"));
        Assert.Contains("The Pod \"fixed\" is invalid: spec: Forbidden: pod updates may not change fields", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedProbesVolumesAndMounts_AreRefusedWithKubernetesMessages()
    {
        var error = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: malformed}
            spec:
              containers:
              - name: main
                image: busybox:1.36
                livenessProbe: {periodSeconds: -1, successThreshold: 2}
                readinessProbe: {exec: {command: [cat]}, tcpSocket: {port: 80}}
                startupProbe: {httpGet: {port: Not_A-Port}}
                volumeMounts: [{name: absent, mountPath: /data}, {name: config, mountPath: /data}]
              initContainers:
              - name: main
                image: busybox:1.36
                readinessProbe: {tcpSocket: {port: 80}}
              volumes: [{name: config}, {name: both, emptyDir: {}, hostPath: {path: /tmp}}]
            """));

        Assert.Contains("The Pod \"malformed\" is invalid: ", error, StringComparison.Ordinal);
        foreach (var expected in new[]
        {
            "spec.volumes[0]: Required value: must specify a volume type",
            "spec.volumes[1].emptyDir: Forbidden: may not specify more than 1 volume type",
            "spec.containers[0].volumeMounts[0].name: Not found: \"absent\"",
            "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must be unique",
            "spec.containers[0].livenessProbe: Required value: must specify a handler type",
            "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
            "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
            "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
            "spec.containers[0].startupProbe.httpGet.port: Invalid value: \"Not_A-Port\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            "spec.initContainers[0].name: Duplicate value: \"main\"",
            "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
        })
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
        Assert.Contains("NotFound", (await Kubectl.RunAsync("get", "pod", "malformed")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplicaSet_PrintsDesiredCurrentReady_AndScales()
    {
        await Kubectl.CreateAsync("""
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata:
              name: frontend
            spec:
              replicas: 2
              selector: {matchLabels: {tier: frontend}}
              template:
                metadata: {labels: {tier: frontend}}
                spec:
                  containers: [{name: web, image: busybox:1.36}]
            """);

        await Kubectl.SucceedAsync("scale", "rs", "frontend", "--replicas=4");
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.replicas}=4", "rs/frontend", "--timeout=30s");

        Assert.Matches(@"NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE", await Kubectl.SucceedAsync("get", "rs", "frontend"));
        Assert.Matches(@"frontend\s+4\s+4\s+0\s+\d+s", await Kubectl.SucceedAsync("get", "rs", "frontend"));
    }
}
