using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// A node whose agent dies: after the grace period the node lifecycle controller marks it Unknown and taints it
/// unreachable, its pods are evicted once their toleration runs out, and their replacements run on the other node;
/// the evicted pods stay Terminating until the node is deleted and the pod garbage collector removes them.
/// </summary>
public sealed class NodeLossTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>, IAsyncLifetime
{
    private NodeAgents? _agents;

    private Kubectl Kubectl => fixture.Kubectl;

    public ValueTask InitializeAsync()
    {
        _agents = NodeAgents.Start(fixture, "simulated", "lost-a", "lost-b");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _agents!.DisposeAsync();

    /// <summary>The node of each pod of the Deployment, and whether the pod is terminating.</summary>
    private async Task<(string Node, bool Terminating)[]> PodsAsync() =>
        [.. (await Kubectl.SucceedAsync("get", "pods", "-l", "app=survivor", "-o",
                "jsonpath={range .items[*]}{.spec.nodeName} {.metadata.deletionTimestamp}{\"\\n\"}{end}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(fields => (fields[0], fields.Length > 1 && fields[1].Length > 0))];

    private async Task<string[]> NodesOfRunningPodsAsync() => [.. (await PodsAsync()).Where(p => !p.Terminating).Select(p => p.Node)];

    [Fact]
    public async Task LostNode_GoesUnknown_AndItsPodsMoveToTheOtherNode()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: survivor, namespace: default}
            spec:
              replicas: 4
              selector: {matchLabels: {app: survivor}}
              template:
                metadata: {labels: {app: survivor}}
                spec:
                  tolerations:
                  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
                  containers:
                  - {name: app, image: "busybox:1.0"}
            """));
        await Kubectl.SucceedAsync("rollout", "status", "deploy/survivor", "--timeout=60s");
        Assert.Contains("lost-b", await NodesOfRunningPodsAsync());
        // a pod that states no toleration gets the five minutes kube-apiserver gives
        Assert.Equal("300 300", await Kubectl.SucceedAsync("run", "plain", "--image=busybox:1.0", "--dry-run=server", "-o",
            "jsonpath={.spec.tolerations[?(@.key==\"node.kubernetes.io/not-ready\")].tolerationSeconds} {.spec.tolerations[?(@.key==\"node.kubernetes.io/unreachable\")].tolerationSeconds}"));

        await _agents.KillAsync("lost-b");
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready=Unknown", "node/lost-b", "--timeout=90s");
        Assert.Equal("NodeStatusUnknown Kubelet stopped posting node status.", await Kubectl.SucceedAsync("get", "node", "lost-b", "-o",
            "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason} {.status.conditions[?(@.type==\"Ready\")].message}"));
        Assert.Contains("node.kubernetes.io/unreachable:NoExecute", await Kubectl.SucceedAsync("get", "node", "lost-b", "-o",
            "jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}"), StringComparison.Ordinal);

        for (var round = 0; round < 300 && (await NodesOfRunningPodsAsync()).Contains("lost-b"); round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.readyReplicas}=4", "deploy/survivor", "--timeout=30s");
        Assert.All(await NodesOfRunningPodsAsync(), node => Assert.Equal("lost-a", node));
        // the evicted pods wait, Terminating, for an agent to confirm that their containers stopped
        var evicted = (await PodsAsync()).Where(p => p.Terminating).ToList();
        Assert.NotEmpty(evicted);
        Assert.All(evicted, p => Assert.Equal("lost-b", p.Node));

        // once the node itself is deleted, the pod garbage collector removes them after its quarantine
        await Kubectl.SucceedAsync("delete", "node", "lost-b");
        for (var round = 0; round < 900 && (await PodsAsync()).Any(p => p.Terminating); round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        Assert.All(await PodsAsync(), p => Assert.Equal(("lost-a", false), p));
    }
}
