using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// A node whose agent dies: after the grace period the node lifecycle controller marks it Unknown and taints it
/// unreachable, its pods are evicted once their toleration runs out, and their replacements run on the other node.
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

    private async Task<string[]> NodesOfPodsAsync() =>
        (await Kubectl.SucceedAsync("get", "pods", "-l", "app=survivor", "-o", "jsonpath={.items[*].spec.nodeName}")).Split(' ', StringSplitOptions.RemoveEmptyEntries);

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
        Assert.Contains("lost-b", await NodesOfPodsAsync());
        // a pod that states no toleration gets the five minutes kube-apiserver gives
        Assert.Equal("300 300", await Kubectl.SucceedAsync("run", "plain", "--image=busybox:1.0", "--dry-run=server", "-o",
            "jsonpath={.spec.tolerations[?(@.key==\"node.kubernetes.io/not-ready\")].tolerationSeconds} {.spec.tolerations[?(@.key==\"node.kubernetes.io/unreachable\")].tolerationSeconds}"));

        await _agents.KillAsync("lost-b");
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready=Unknown", "node/lost-b", "--timeout=90s");
        Assert.Equal("NodeStatusUnknown Kubelet stopped posting node status.", await Kubectl.SucceedAsync("get", "node", "lost-b", "-o",
            "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason} {.status.conditions[?(@.type==\"Ready\")].message}"));
        Assert.Contains("node.kubernetes.io/unreachable:NoExecute", await Kubectl.SucceedAsync("get", "node", "lost-b", "-o",
            "jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}"), StringComparison.Ordinal);

        for (var round = 0; round < 300 && (await NodesOfPodsAsync()).Contains("lost-b"); round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.readyReplicas}=4", "deploy/survivor", "--timeout=30s");
        Assert.All(await NodesOfPodsAsync(), node => Assert.Equal("lost-a", node));
    }
}
