using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// kube-scheduler's rules over two simulated nodes, driven with kubectl: a Deployment whose pods refuse to share a
/// node leaves its third replica Pending with kube-scheduler's message, and a pod of a higher PriorityClass preempts
/// a lower one, which is marked, evicted and told why, and takes its place.
/// </summary>
public sealed class SchedulingRulesTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>, IAsyncLifetime
{
    private NodeAgents? _agents;

    private Kubectl Kubectl => fixture.Kubectl;

    public ValueTask InitializeAsync()
    {
        _agents = NodeAgents.Start(fixture, "simulated", "rules-a", "rules-b");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _agents!.DisposeAsync();

    [Fact]
    public async Task RequiredAntiAffinity_LeavesTheThirdReplicaPending_WithKubeSchedulersMessage()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: spread}");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: solo, namespace: spread}
            spec:
              replicas: 3
              selector: {matchLabels: {app: solo}}
              template:
                metadata: {labels: {app: solo}}
                spec:
                  affinity:
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - labelSelector: {matchLabels: {app: solo}}
                        topologyKey: kubernetes.io/hostname
                  containers:
                  - {name: app, image: "busybox:1.0", resources: {requests: {cpu: 100m}}}
            """));

        await Kubectl.SucceedAsync("wait", "-n", "spread", "--for=jsonpath={.status.readyReplicas}=2", "deploy/solo", "--timeout=60s");
        var pods = (await Kubectl.SucceedAsync("get", "pods", "-n", "spread", "-l", "app=solo", "-o",
            "jsonpath={range .items[*]}{.status.phase}={.spec.nodeName}{\"\\n\"}{end}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Pending=", "Running=rules-a", "Running=rules-b"], pods.Order(StringComparer.Ordinal));
        const string Expected = "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. "
            + "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.";
        var pending = await Kubectl.SucceedAsync("get", "pods", "-n", "spread", "-l", "app=solo", "--field-selector", "status.phase=Pending", "-o",
            "jsonpath={.items[0].status.conditions[?(@.type==\"PodScheduled\")].reason}: {.items[0].status.conditions[?(@.type==\"PodScheduled\")].message}");
        Assert.Equal($"Unschedulable: {Expected}", pending);
        var events = await Kubectl.SucceedAsync("get", "events", "-n", "spread", "--field-selector", "reason=FailedScheduling", "-o", "jsonpath={.items[*].message}");
        Assert.Contains(Expected, events, StringComparison.Ordinal);
        await Kubectl.SucceedAsync("delete", "deploy/solo", "-n", "spread", "--cascade=foreground");
    }

    [Fact]
    public async Task PodWithAMissingClaim_WaitsWithKubeSchedulersMessage_AndIsPlacedOnceTheClaimIsBound()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: claims}");
        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: keeper, namespace: claims}
            spec:
              containers:
              - {name: app, image: "busybox:1.0"}
              volumes:
              - {name: data, persistentVolumeClaim: {claimName: data}}
            """);
        const string Expected = "0/2 nodes are available: persistentvolumeclaim \"data\" not found. "
            + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
        await Kubectl.SucceedAsync("wait", "-n", "claims", "--for=condition=PodScheduled=false", "pod/keeper", "--timeout=30s");
        var waiting = await Kubectl.SucceedAsync("get", "pod", "keeper", "-n", "claims", "-o",
            "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].reason}: {.status.conditions[?(@.type==\"PodScheduled\")].message}");

        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, namespace: claims}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Mi}}
            """);
        await Kubectl.SucceedAsync("wait", "-n", "claims", "--for=condition=PodScheduled", "pod/keeper", "--timeout=60s");

        Assert.Equal($"Unschedulable: {Expected}", waiting);
        Assert.Equal("Bound", await Kubectl.SucceedAsync("get", "pvc", "data", "-n", "claims", "-o", "jsonpath={.status.phase}"));
        await Kubectl.SucceedAsync("delete", "namespace", "claims", "--wait=false");
    }

    [Fact]
    public async Task HigherPriorityPod_PreemptsALowerOne_AndTakesItsNode()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: ranks}");
        static string Filler(string node) => """
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: filler-LETTER, namespace: ranks}
            spec:
              nodeSelector: {kubernetes.io/hostname: NODE}
              terminationGracePeriodSeconds: 1
              containers: [{name: app, image: "busybox:1.0", resources: {requests: {cpu: 800m}}}]

            """.Replace("LETTER", node[^1..]).Replace("NODE", node);
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: urgent}
            value: 1000

            """ + Filler("rules-a") + Filler("rules-b")));
        await Kubectl.SucceedAsync("wait", "-n", "ranks", "--for=condition=Ready", "pod/filler-a", "pod/filler-b", "--timeout=60s");

        var missing = await Kubectl.RunAsync(["run", "nobody", "-n", "ranks", "--image=busybox:1.0", "--overrides={\"spec\":{\"priorityClassName\":\"absent\"}}"]);
        Assert.Contains("pods \"nobody\" is forbidden: no PriorityClass with name absent was found", missing.Error, StringComparison.Ordinal);

        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: vip, namespace: ranks}
            spec:
              priorityClassName: urgent
              containers: [{name: app, image: "busybox:1.0", resources: {requests: {cpu: 800m}}}]
            """));

        await Kubectl.SucceedAsync("wait", "-n", "ranks", "--for=condition=Ready", "pod/vip", "--timeout=60s");
        var vip = await Kubectl.SucceedAsync("get", "pod", "vip", "-n", "ranks", "-o", "jsonpath={.spec.priority} {.spec.nodeName} {.status.nominatedNodeName} {.metadata.uid}");
        var (priority, node, nominated, uid) = vip.Split(' ') is [var p, var n, var m, var u] ? (p, n, m, u) : throw new InvalidOperationException(vip);
        Assert.Equal("1000", priority);
        Assert.Equal(node, nominated);
        var victim = node == "rules-a" ? "filler-a" : "filler-b";
        var survivor = node == "rules-a" ? "filler-b" : "filler-a";
        var remaining = (await Kubectl.SucceedAsync("get", "pods", "-n", "ranks", "-o", "jsonpath={.items[*].metadata.name}")).Split(' ');
        Assert.Equal([survivor, "vip"], remaining.Order(StringComparer.Ordinal));
        var preempted = await Kubectl.SucceedAsync("get", "events", "-n", "ranks", "--field-selector", $"reason=Preempted,involvedObject.name={victim}", "-o",
            "jsonpath={.items[0].type} {.items[0].message}");
        Assert.Equal($"Normal Preempted by pod {uid} on node {node}", preempted);
    }
}
