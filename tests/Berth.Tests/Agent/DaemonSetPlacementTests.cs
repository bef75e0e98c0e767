using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// DaemonSets applied with the stock kubectl on simulated nodes: one pod per node that should run it, bound by the
/// scheduler through the pod's node affinity, Running and Ready; a node whose taint the pods do not tolerate gets
/// none, a node selector restricts them, a node that joins later gets one, a relabelled node loses its pod, a set
/// made again adopts the pods it orphaned, and deleting the DaemonSet removes them all.
/// </summary>
public sealed class DaemonSetPlacementTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>, IAsyncLifetime
{
    private const string Namespace = "daemons";

    private NodeAgents? _agents;

    private Kubectl Kubectl => fixture.Kubectl;

    public ValueTask InitializeAsync()
    {
        _agents = NodeAgents.Start(fixture, "simulated", "ds-a", "ds-b");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _agents!.DisposeAsync();

    private static string DaemonSet(string name, string podSpec = "") => $$$"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: {{{name}}}, namespace: {{{Namespace}}} }
        spec:
          selector: {matchLabels: {app: {{{name}}} }}
          template:
            metadata: {labels: {app: {{{name}}} }}
            spec:
              {{{podSpec}}}
              containers:
              - {name: app, image: "busybox:1.0", resources: {requests: {cpu: 10m} } }
        """;

    /// <summary>The nodes the set's pods that are not being deleted are for, sorted.</summary>
    private async Task<string> NodesOfAsync(string name) =>
        string.Join(' ', (await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=" + name, "-o",
                "jsonpath={range .items[*]}{.metadata.deletionTimestamp}|{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]}{\"\\n\"}{end}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('|')).Select(l => l[1..]).Order(StringComparer.Ordinal));

    /// <summary>Waits until the set's pods are for exactly <paramref name="nodes"/>.</summary>
    private async Task WaitForNodesAsync(string name, string nodes)
    {
        for (var round = 0; round < 300 && await NodesOfAsync(name) != nodes; round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken); // the controller and the agents catch up
        }
        Assert.Equal(nodes, await NodesOfAsync(name));
    }

    private Task WaitForStatusAsync(string name, string field, int value) =>
        Kubectl.SucceedAsync("wait", $"ds/{name}", "-n", Namespace, $"--for=jsonpath={{.status.{field}}}={value}", "--timeout=60s");

    [Fact]
    public async Task DaemonSet_RunsOnePodPerEligibleNode()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {Namespace}}}");
        await Kubectl.SucceedAsync("taint", "node", "ds-b", "dedicated=infra:NoSchedule");

        // one pod on each node whose taints the pods tolerate; ds-b's they do not
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(DaemonSet("logs")));
        await WaitForStatusAsync("logs", "numberReady", 1);
        Assert.Equal("ds-a", await NodesOfAsync("logs"));
        var pod = await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=logs", "-o",
            "jsonpath={range .items[0]}{.spec.nodeName} {.status.phase} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.labels.pod-template-generation} {.metadata.labels.controller-revision-hash}{end}");
        Assert.Matches("^ds-a Running DaemonSet/logs 1 [a-z0-9]+$", pod);
        Assert.Contains("node.kubernetes.io/unreachable:NoExecute", await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=logs", "-o",
            "jsonpath={range .items[0].spec.tolerations[*]}{.key}:{.effect} {end}"), StringComparison.Ordinal);
        Assert.Contains("Created pod: logs-", await Kubectl.SucceedAsync("get", "events", "-n", Namespace, "--field-selector", "reason=SuccessfulCreate",
            "-o", "jsonpath={.items[*].message}"), StringComparison.Ordinal);
        Assert.Contains("successfully rolled out", await Kubectl.SucceedAsync("rollout", "status", "ds/logs", "-n", Namespace, "--timeout=60s"),
            StringComparison.Ordinal);
        Assert.Matches(@"(?m)^logs\s+1\s+1\s+1\s+1\s+1\s+<none>\s+\S+$", await Kubectl.SucceedAsync("get", "ds", "-n", Namespace));

        // a node selector restricts the pods; a toleration lets them onto the tainted node
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(DaemonSet("infra",
            "nodeSelector: {role: infra}\n      tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]")));
        await Kubectl.SucceedAsync("wait", "ds/infra", "-n", Namespace, "--for=jsonpath={.status.observedGeneration}=1", "--timeout=30s");
        Assert.Equal("0", await Kubectl.SucceedAsync("get", "ds/infra", "-n", Namespace, "-o", "jsonpath={.status.desiredNumberScheduled}"));
        Assert.Matches(@"(?m)^infra\s+0\s+0\s+0\s+0\s+0\s+role=infra\s+\S+$", await Kubectl.SucceedAsync("get", "ds", "-n", Namespace));
        await Kubectl.SucceedAsync("label", "node", "ds-b", "role=infra");
        await WaitForStatusAsync("infra", "numberReady", 1);
        Assert.Equal("ds-b", await NodesOfAsync("infra"));

        // a node that joins later gets a pod of each set it qualifies for
        _agents.Add(fixture, "simulated", "ds-c");
        await _agents.WaitReadyAsync(Kubectl);
        await WaitForStatusAsync("logs", "numberReady", 2);
        await WaitForNodesAsync("logs", "ds-a ds-c");
        Assert.Equal("ds-b", await NodesOfAsync("infra"));

        // relabelled, the node no longer runs the set's pod
        await Kubectl.SucceedAsync("label", "node", "ds-b", "role-");
        await WaitForNodesAsync("infra", "");
        await WaitForStatusAsync("infra", "desiredNumberScheduled", 0);

        // a NoExecute taint the pods do not tolerate removes the one running there
        await Kubectl.SucceedAsync("taint", "node", "ds-c", "evict=now:NoExecute");
        await WaitForNodesAsync("logs", "ds-a");
        await Kubectl.SucceedAsync("taint", "node", "ds-c", "evict=now:NoExecute-");
        await WaitForNodesAsync("logs", "ds-a ds-c");

        // deleted with its pods orphaned and made again, the set adopts them and its revision: no pod is replaced
        var pods = await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=logs", "-o", "jsonpath={.items[*].metadata.name}");
        await Kubectl.SucceedAsync("delete", "ds/logs", "-n", Namespace, "--cascade=orphan");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(DaemonSet("logs")));
        var uid = await Kubectl.SucceedAsync("get", "ds/logs", "-n", Namespace, "-o", "jsonpath={.metadata.uid}");
        await WaitForStatusAsync("logs", "numberReady", 2);
        Assert.Equal($"{uid} {uid}", await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=logs", "-o", "jsonpath={.items[*].metadata.ownerReferences[0].uid}"));
        Assert.Equal(pods, await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=logs", "-o", "jsonpath={.items[*].metadata.name}"));
        Assert.Equal($"1 {uid}", await Kubectl.SucceedAsync("get", "controllerrevisions", "-n", Namespace, "-l", "app=logs", "-o",
            "jsonpath={.items[*].revision} {.items[*].metadata.ownerReferences[0].uid}"));
        Assert.Empty(await Kubectl.SucceedAsync("get", "ds/logs", "-n", Namespace, "-o", "jsonpath={.status.collisionCount}"));

        // deleted, the set takes its pods along
        await Kubectl.SucceedAsync("delete", "ds/logs", "-n", Namespace, "--cascade=foreground", "--timeout=60s");
        Assert.Empty(await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=logs", "-o", "name"));
    }
}
