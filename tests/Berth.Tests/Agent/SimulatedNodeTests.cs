using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// Two <c>berth agent</c> processes with the simulated runtime join a server, as a user starts them: their Nodes
/// and Leases appear, a Deployment's pods are scheduled over both and reported Running and Ready, so
/// <c>kubectl rollout status</c> completes; a deleted pod is replaced, and deleting the Deployment empties the nodes.
/// </summary>
public sealed class SimulatedNodeTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>, IAsyncLifetime
{
    private NodeAgents? _agents;

    private Kubectl Kubectl => fixture.Kubectl;

    public ValueTask InitializeAsync()
    {
        _agents = NodeAgents.Start(fixture, "simulated", "sim-a", "sim-b");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _agents!.DisposeAsync();

    [Fact]
    public async Task Deployment_RunsOnBothNodes_AndRollsOut()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        var node = await Kubectl.SucceedAsync("get", "node", "sim-a", "-o",
            "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address} {.status.allocatable.cpu} {.status.allocatable.memory} {.metadata.labels.topology\\.kubernetes\\.io/zone} {.status.nodeInfo.containerRuntimeVersion}");
        Assert.Equal($"{_agents!.Address("sim-a")} 1 2Gi zone-a simulated://1.0.0", node);
        Assert.Equal("sim-a 40 Node", await Kubectl.SucceedAsync("get", "lease", "sim-a", "-n", "kube-node-lease", "-o",
            "jsonpath={.spec.holderIdentity} {.spec.leaseDurationSeconds} {.metadata.ownerReferences[0].kind}"));

        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 4
              selector: {matchLabels: {app: sim-web}}
              template:
                metadata: {labels: {app: sim-web}}
                spec:
                  containers:
                  - {name: app, image: "busybox:1.0", resources: {requests: {cpu: 100m}}}
            """));
        Assert.Contains("successfully rolled out", await Kubectl.SucceedAsync("rollout", "status", "deploy/web", "--timeout=60s"), StringComparison.Ordinal);
        var pods = (await Kubectl.SucceedAsync("get", "pods", "-l", "app=sim-web", "-o",
            "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase} {.status.podIP} {.status.containerStatuses[0].ready}{\"\\n\"}{end}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, pods.Length);
        // each pod has an address of its node's pod CIDR
        var cidrs = (await Kubectl.SucceedAsync("get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR}{\"\\n\"}{end}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(l => l[0], l => System.Net.IPNetwork.Parse(l[1]));
        Assert.All(pods.Select(p => p.Split(' ')), p => Assert.True(p[1] == "Running" && p[3] == "true" && cidrs[p[0]].Contains(System.Net.IPAddress.Parse(p[2])), string.Join(' ', p)));
        Assert.Equal(["sim-a", "sim-b"], pods.Select(p => p.Split(' ')[0]).Distinct().Order());

        // a deleted pod is replaced and runs again
        var first = await Kubectl.SucceedAsync("get", "pods", "-l", "app=sim-web", "-o", "jsonpath={.items[0].metadata.name}");
        await Kubectl.SucceedAsync("delete", "pod", first);
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.readyReplicas}=4", "deploy/web", "--timeout=30s");

        await Kubectl.SucceedAsync("delete", "deploy/web", "--cascade=foreground");
        Assert.Empty(await Kubectl.SucceedAsync("get", "pods", "-l", "app=sim-web", "-o", "name"));
        Assert.Contains("Stopped pod default/" + first, _agents.Output, StringComparison.Ordinal);
    }
}
