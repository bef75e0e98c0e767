using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// A DaemonSet's template changes with the stock kubectl on two simulated nodes: a rolling update replaces the pods
/// and <c>kubectl rollout status</c> completes, <c>rollout history</c> lists the ControllerRevisions and
/// <c>rollout undo</c> brings the old image back; with <c>maxSurge</c> the new pod starts beside the old one; with
/// OnDelete only deleted pods are replaced; a failed daemon pod is deleted and made again.
/// </summary>
public sealed class DaemonSetRolloutTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>, IAsyncLifetime
{
    private const string Namespace = "rollout";

    private NodeAgents? _agents;

    private Kubectl Kubectl => fixture.Kubectl;

    public ValueTask InitializeAsync()
    {
        _agents = NodeAgents.Start(fixture, "simulated", "ro-a", "ro-b");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _agents!.DisposeAsync();

    /// <summary>Node and image of each of the set's pods not being deleted, sorted.</summary>
    private async Task<string> PodsAsync() =>
        string.Join(' ', (await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=agent", "-o",
                "jsonpath={range .items[*]}{.metadata.deletionTimestamp}|{.spec.nodeName}={.spec.containers[0].image}{\"\\n\"}{end}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('|')).Select(l => l[1..]).Order(StringComparer.Ordinal));

    private async Task WaitForPodsAsync(string expected)
    {
        for (var round = 0; round < 300 && await PodsAsync() != expected; round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken); // the old pods' deletions complete
        }
        Assert.Equal(expected, await PodsAsync());
    }

    private async Task RolledOutAsync(string image)
    {
        Assert.Contains("successfully rolled out", await Kubectl.SucceedAsync("rollout", "status", "ds/agent", "-n", Namespace, "--timeout=90s"),
            StringComparison.Ordinal);
        await WaitForPodsAsync($"ro-a={image} ro-b={image}");
    }

    [Fact]
    public async Task DaemonSet_RollsOutUndoesAndReplacesFailedPods()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {Namespace}}}");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync($$$"""
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: {{{Namespace}}}}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  containers:
                  - {name: app, image: "busybox:1.0"}
            """));
        await RolledOutAsync("busybox:1.0");
        Assert.Equal("1 1 0", await Kubectl.SucceedAsync("get", "ds/agent", "-n", Namespace, "-o",
            "jsonpath={.metadata.annotations.deprecated\\.daemonset\\.template\\.generation} {.spec.updateStrategy.rollingUpdate.maxUnavailable} {.spec.updateStrategy.rollingUpdate.maxSurge}"));

        // a new image rolls out one node at a time, each old pod deleted before its replacement is made
        await Kubectl.SucceedAsync("set", "image", "ds/agent", "-n", Namespace, "app=busybox:2.0");
        await RolledOutAsync("busybox:2.0");
        Assert.Equal("2 2", await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=agent", "-o",
            "jsonpath={.items[*].metadata.labels.pod-template-generation}"));
        Assert.Contains("Deleted pod: agent-", await Kubectl.SucceedAsync("get", "events", "-n", Namespace, "--field-selector", "reason=SuccessfulDelete",
            "-o", "jsonpath={.items[*].message}"), StringComparison.Ordinal);
        Assert.Equal("2 2 2 2 2 2", await Kubectl.SucceedAsync("get", "ds/agent", "-n", Namespace, "-o",
            "jsonpath={.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberReady} {.status.updatedNumberScheduled} {.status.numberAvailable} {.status.observedGeneration}"));
        Assert.Matches(@"(?m)^1\s+<none>\s*\n2\s+<none>", await Kubectl.SucceedAsync("rollout", "history", "ds/agent", "-n", Namespace));
        Assert.Contains("busybox:1.0", await Kubectl.SucceedAsync("rollout", "history", "ds/agent", "-n", Namespace, "--revision=1"), StringComparison.Ordinal);

        // undone, the first template comes back as the newest revision
        Assert.Contains("rolled back", await Kubectl.SucceedAsync("rollout", "undo", "ds/agent", "-n", Namespace), StringComparison.Ordinal);
        await RolledOutAsync("busybox:1.0");
        Assert.Matches(@"(?m)^2\s+<none>\s*\n3\s+<none>", await Kubectl.SucceedAsync("rollout", "history", "ds/agent", "-n", Namespace));

        // with surge, each new pod starts beside the old one, which goes once the new one is available
        await Kubectl.SucceedAsync("patch", "ds/agent", "-n", Namespace, "--type=merge", "-p",
            """{"spec": {"updateStrategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}, "template": {"spec": {"containers": [{"name": "app", "image": "busybox:3.0"}]}}}}""");
        await RolledOutAsync("busybox:3.0");

        // OnDelete: a new template waits until a pod is deleted
        await Kubectl.SucceedAsync("patch", "ds/agent", "-n", Namespace, "--type=merge", "-p",
            """{"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": null}, "template": {"spec": {"containers": [{"name": "app", "image": "busybox:4.0"}]}}}}""");
        var generation = await Kubectl.SucceedAsync("get", "ds/agent", "-n", Namespace, "-o", "jsonpath={.metadata.generation}");
        await Kubectl.SucceedAsync("wait", "ds/agent", "-n", Namespace, $"--for=jsonpath={{.status.observedGeneration}}={generation}", "--timeout=30s");
        Assert.Equal("ro-a=busybox:3.0 ro-b=busybox:3.0", await PodsAsync());
        await Kubectl.SucceedAsync("delete", "pods", "-n", Namespace, "-l", "app=agent", "--field-selector=spec.nodeName=ro-a");
        await WaitForPodsAsync("ro-a=busybox:4.0 ro-b=busybox:3.0");

        await FailedPodIsReplacedAsync();

        await Kubectl.SucceedAsync("delete", "ds/agent", "-n", Namespace, "--cascade=foreground", "--timeout=60s");
        Assert.Empty(await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=agent", "-o", "name"));
    }

    /// <summary>
    /// A daemon pod that failed is deleted, with a FailedDaemonPod event, and made again; on a node without an agent,
    /// so nothing but the test changes the pod's status.
    /// </summary>
    private async Task FailedPodIsReplacedAsync()
    {
        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: Node
            metadata: {name: ro-idle, labels: {kubernetes.io/hostname: ro-idle}}
            status:
              conditions: [{type: Ready, status: "True", lastHeartbeatTime: "2099-01-01T00:00:00Z"}]
              capacity: {cpu: "2", memory: 4Gi, pods: "110"}
              allocatable: {cpu: "2", memory: 4Gi, pods: "110"}
            """);
        string idlePod = "";
        for (var round = 0; round < 300 && idlePod.Length == 0; round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken); // made by the controller, bound by the scheduler
            idlePod = await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=agent", "--field-selector=spec.nodeName=ro-idle", "-o",
                "jsonpath={.items[*].metadata.name}");
        }
        Assert.NotEmpty(idlePod);
        await Kubectl.SucceedAsync("patch", "pod", idlePod, "-n", Namespace, "--subresource=status", "--type=merge", "-p", """{"status": {"phase": "Failed"}}""");
        await Kubectl.SucceedAsync("wait", "pod/" + idlePod, "-n", Namespace, "--for=delete", "--timeout=30s");
        Assert.Contains($"Found failed daemon pod {Namespace}/{idlePod} on node ro-idle, will try to kill it", await Kubectl.SucceedAsync("get", "events", "-n",
            Namespace, "--field-selector", "reason=FailedDaemonPod", "-o", "jsonpath={.items[*].message}"), StringComparison.Ordinal);
        var replacement = "";
        for (var round = 0; round < 300 && replacement.Length == 0; round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken); // made again by the controller
            replacement = await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=agent", "--field-selector=spec.nodeName=ro-idle", "-o",
                "jsonpath={.items[*].metadata.name}");
        }
        Assert.NotEmpty(replacement);
        Assert.NotEqual(idlePod, replacement);
        // the node goes; no agent will confirm its pod's deletion, so it is forced
        await Kubectl.SucceedAsync("delete", "node", "ro-idle");
        await Kubectl.SucceedAsync("wait", "ds/agent", "-n", Namespace, "--for=jsonpath={.status.desiredNumberScheduled}=2", "--timeout=30s");
        await Kubectl.SucceedAsync("delete", "pod", replacement, "-n", Namespace, "--grace-period=0", "--force");
    }
}
