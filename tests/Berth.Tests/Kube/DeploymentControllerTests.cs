namespace Berth.Tests.Kube;

/// <summary>
/// Deployments rolled out by the controller, driven with kubectl's rollout verbs. No node agent runs here, so the
/// test plays the kubelet's part: it marks pods Running and Ready through the status subresource.
/// </summary>
public sealed class DeploymentControllerTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static string Deployment(string ns, string strategy) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: {{{ns}}}}
        spec:
          replicas: 3
          strategy: {{{strategy}}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - {name: app, image: "busybox:1.0"}
        """;

    private async Task CreateNamespaceAsync(string ns) => await Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}");

    /// <summary>The kubelet's part: every pod of the namespace not yet ready becomes Running and Ready.</summary>
    private async Task MarkPodsReadyAsync(string ns)
    {
        var pods = await Kubectl.SucceedAsync("get", "pods", "-n", ns, "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}");
        foreach (var line in pods.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 1)
            {
                await Kubectl.RunAsync("patch", "pod", parts[0], "-n", ns, "--subresource=status", "--type=merge", "-p",
                    """{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}""");
            }
        }
    }

    private Task<string> StateAsync(string ns) =>
        Kubectl.SucceedAsync("get", "deploy/web", "-n", ns, "-o",
            "jsonpath={.status.updatedReplicas}/{.status.replicas}/{.status.availableReplicas} {.status.conditions[?(@.type==\"Progressing\")].reason}");

    /// <summary>
    /// Marks pods ready as they come until the rollout is complete; returns the fewest available pods seen on the way.
    /// </summary>
    private async Task<long> RollOutAsync(string ns)
    {
        var fewest = long.MaxValue;
        for (var round = 0; round < 120; round++)
        {
            await MarkPodsReadyAsync(ns);
            var state = await StateAsync(ns);
            var available = state.Split(' ')[0].Split('/')[2];
            fewest = Math.Min(fewest, available.Length == 0 ? 0 : long.Parse(available, System.Globalization.CultureInfo.InvariantCulture));
            if (state == "3/3/3 NewReplicaSetAvailable")
            {
                return fewest;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the rollout in {ns} did not complete: {await StateAsync(ns)}");
    }

    private async Task<string[]> ReplicaSetsAsync(string ns) =>
        (await Kubectl.SucceedAsync("get", "rs", "-n", ns, "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}@{.metadata.annotations.deployment\\.kubernetes\\.io/revision}:{.spec.template.spec.containers[0].image}{\"\\n\"}{end}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task RollingUpdate_KeepsAvailability_AndRollsBack()
    {
        const string ns = "rolling";
        await CreateNamespaceAsync(ns);
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Deployment(ns, "{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}")));
        await RollOutAsync(ns);
        Assert.Contains("successfully rolled out", await Kubectl.SucceedAsync("rollout", "status", "deploy/web", "-n", ns, "--timeout=20s"), StringComparison.Ordinal);
        var first = Assert.Single(await ReplicaSetsAsync(ns));
        Assert.Matches("^web-[bcdfghjklmnpqrstvwxz2456789]+=3@1:busybox:1.0$", first);
        var hash = first[4..first.IndexOf('=')];
        Assert.Equal(hash, await Kubectl.SucceedAsync("get", "pods", "-n", ns, "-o", "jsonpath={.items[0].metadata.labels.pod-template-hash}"));

        // a new image rolls through a second ReplicaSet, never below replicas - maxUnavailable available
        await Kubectl.SucceedAsync("set", "image", "deploy/web", "-n", ns, "app=busybox:2.0");
        Assert.True(await RollOutAsync(ns) >= 2);
        var sets = await ReplicaSetsAsync(ns);
        Assert.Equal(2, sets.Length);
        Assert.Contains(sets, s => s.EndsWith("=3@2:busybox:2.0", StringComparison.Ordinal));
        Assert.Contains(first.Replace("=3@", "=0@", StringComparison.Ordinal), sets);
        var history = await Kubectl.SucceedAsync("rollout", "history", "deploy/web", "-n", ns);
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\s+1\s+<none>\s+2\s+<none>", history);
        var scaled = await Kubectl.SucceedAsync("get", "events", "-n", ns, "--field-selector", "reason=ScalingReplicaSet", "-o", "jsonpath={.items[*].message}");
        Assert.Contains($"Scaled up replica set {first[..first.IndexOf('=')]} from 0 to 3", scaled, StringComparison.Ordinal);

        // undo returns to the first template, renumbered as revision 3
        await Kubectl.SucceedAsync("rollout", "undo", "deploy/web", "-n", ns);
        await RollOutAsync(ns);
        Assert.Contains(first.Replace("=3@1:", "=3@3:", StringComparison.Ordinal), await ReplicaSetsAsync(ns));
        Assert.Equal("busybox:1.0", await Kubectl.SucceedAsync("get", "deploy/web", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        Assert.Equal("3", await Kubectl.SucceedAsync("get", "deploy/web", "-n", ns, "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}"));

        // paused, a template change makes no ReplicaSet; resumed, it does
        await Kubectl.SucceedAsync("rollout", "pause", "deploy/web", "-n", ns);
        await Kubectl.SucceedAsync("set", "image", "deploy/web", "-n", ns, "app=busybox:3.0");
        await Kubectl.SucceedAsync("wait", "-n", ns, "--for=jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}=DeploymentPaused", "deploy/web", "--timeout=20s");
        Assert.Equal(2, (await ReplicaSetsAsync(ns)).Length);
        await Kubectl.SucceedAsync("rollout", "resume", "deploy/web", "-n", ns);
        await RollOutAsync(ns);
        Assert.Contains(await ReplicaSetsAsync(ns), s => s.EndsWith("=3@4:busybox:3.0", StringComparison.Ordinal));

        // restart rolls the same image through a new ReplicaSet
        await Kubectl.SucceedAsync("rollout", "restart", "deploy/web", "-n", ns);
        await RollOutAsync(ns);
        Assert.Contains(await ReplicaSetsAsync(ns), s => s.EndsWith("=3@5:busybox:3.0", StringComparison.Ordinal));

        // a resize goes to the current ReplicaSet
        await Kubectl.SucceedAsync("scale", "deploy/web", "-n", ns, "--replicas=5");
        await Kubectl.SucceedAsync("wait", "-n", ns, "--for=jsonpath={.status.replicas}=5", "deploy/web", "--timeout=20s");
        Assert.Contains(await ReplicaSetsAsync(ns), s => s.EndsWith("=5@5:busybox:3.0", StringComparison.Ordinal));

        // deleting the Deployment deletes its ReplicaSets and their pods
        await Kubectl.SucceedAsync("delete", "deploy/web", "-n", ns, "--cascade=foreground");
        Assert.Empty(await ReplicaSetsAsync(ns));
    }

    [Fact]
    public async Task Recreate_EmptiesTheOldReplicaSetFirst_AndAStuckRolloutMissesItsDeadline()
    {
        const string ns = "recreate";
        await CreateNamespaceAsync(ns);
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Deployment(ns, "{type: Recreate}")));
        await RollOutAsync(ns);
        await Kubectl.SucceedAsync("patch", "deploy/web", "-n", ns, "-p",
            """{"spec":{"progressDeadlineSeconds":2,"template":{"spec":{"containers":[{"name":"app","image":"busybox:2.0"}]}}}}""");
        await Kubectl.SucceedAsync("wait", "-n", ns, "--for=jsonpath={.status.updatedReplicas}=3", "deploy/web", "--timeout=20s");
        var sets = await ReplicaSetsAsync(ns);
        Assert.Contains(sets, s => s.EndsWith("=0@1:busybox:1.0", StringComparison.Ordinal));
        Assert.Contains(sets, s => s.EndsWith("=3@2:busybox:2.0", StringComparison.Ordinal));

        // no pod ever becomes ready: the rollout is reported stuck, and kubectl says so
        var error = await Kubectl.FailAsync("rollout", "status", "deploy/web", "-n", ns, "--timeout=30s");
        Assert.Contains("deployment \"web\" exceeded its progress deadline", error, StringComparison.Ordinal);
        Assert.Contains("ReplicaSet \"web-", await Kubectl.SucceedAsync("get", "deploy/web", "-n", ns, "-o",
            "jsonpath={.status.conditions[?(@.reason==\"ProgressDeadlineExceeded\")].message}"), StringComparison.Ordinal);
    }
}
