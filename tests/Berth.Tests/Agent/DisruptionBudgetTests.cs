using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// PodDisruptionBudgets with the stock kubectl on two simulated nodes: the disruption controller counts a
/// Deployment's pods, the eviction subresource refuses what the budget does not allow, and <c>kubectl drain</c>
/// cordons a node and evicts its pods without ever leaving fewer healthy than the budget wants; the pods come back
/// on the other node, and <c>kubectl uncordon</c> opens the node again.
/// </summary>
public sealed class DisruptionBudgetTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>, IAsyncLifetime
{
    private const string Namespace = "drain";

    private NodeAgents? _agents;

    private Kubectl Kubectl => fixture.Kubectl;

    public ValueTask InitializeAsync()
    {
        _agents = NodeAgents.Start(fixture, "simulated", "drain-a", "drain-b");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _agents!.DisposeAsync();

    [Fact]
    public async Task Drain_EvictsWithinTheBudget_AndUncordonOpensTheNode()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {Namespace}}}");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync($$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: {{{Namespace}}}}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - {name: app, image: "busybox:1.0", resources: {requests: {cpu: 100m}}, volumeMounts: [{name: scratch, mountPath: /scratch}]}
                  volumes:
                  - {name: scratch, emptyDir: {}}
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: web, namespace: {{{Namespace}}}}
            spec:
              minAvailable: 2
              selector: {matchLabels: {app: web}}
            """));
        await Kubectl.SucceedAsync("rollout", "status", "deploy/web", "-n", Namespace, "--timeout=60s");
        await Kubectl.SucceedAsync("wait", "pdb/web", "-n", Namespace, "--for=jsonpath={.status.disruptionsAllowed}=1", "--timeout=30s");
        Assert.Matches(@"(?m)^web\s+2\s+N/A\s+1\s+", await Kubectl.SucceedAsync("get", "pdb", "-n", Namespace));
        Assert.Equal("3 3 2 1 DisruptionAllowed True SufficientPods", await Kubectl.SucceedAsync("get", "pdb/web", "-n", Namespace, "-o",
            "jsonpath={.status.expectedPods} {.status.currentHealthy} {.status.desiredHealthy} {.status.disruptionsAllowed} {.status.conditions[0].type} {.status.conditions[0].status} {.status.conditions[0].reason}"));

        await EvictionsAreRefusedBeyondTheBudgetAsync();

        // drain the node with the most of the pods; emptyDir data is lost only when the flag says so
        var nodes = (await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=web", "-o", "jsonpath={.items[*].spec.nodeName}"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var drained = nodes.GroupBy(n => n).OrderByDescending(g => g.Count()).First().Key;
        var other = drained == "drain-a" ? "drain-b" : "drain-a";
        Assert.Contains("--delete-emptydir-data", await Kubectl.FailAsync("drain", drained, "--ignore-daemonsets", "--timeout=30s"), StringComparison.Ordinal);

        var watch = Kubectl.Start("get", "pdb/web", "-n", Namespace, "--watch", "-o", "jsonpath={.status.currentHealthy}{\"\\n\"}");
        await watch.WaitForOutputLineAsync(line => line == "3");
        var drain = await Kubectl.SucceedAsync("drain", drained, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=50s");
        Assert.Contains($"node/{drained} drained", drain, StringComparison.Ordinal);
        await Kubectl.SucceedAsync("wait", "deploy/web", "-n", Namespace, "--for=jsonpath={.status.readyReplicas}=3", "--timeout=30s");
        var healthy = (await watch.StopAsync()).Where(l => l.Length > 0).Select(int.Parse).ToList();
        Assert.All(healthy, h => Assert.True(h >= 2, $"the budget's healthy pods went to {h}: {string.Join(',', healthy)}"));

        Assert.Matches(@$"(?m)^{drained}\s+Ready,SchedulingDisabled\s", await Kubectl.SucceedAsync("get", "node", drained));
        await Kubectl.SucceedAsync("wait", $"node/{drained}", "--for=jsonpath={.spec.taints[0].key}=node.kubernetes.io/unschedulable", "--timeout=30s");
        Assert.Equal(Enumerable.Repeat(other, 3), (await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=web",
            "--field-selector=status.phase=Running", "-o", "jsonpath={.items[*].spec.nodeName}")).Split(' '));

        // uncordoned, the node takes pods again
        await Kubectl.SucceedAsync("uncordon", drained);
        Assert.Matches(@$"(?m)^{drained}\s+Ready\s", await Kubectl.SucceedAsync("get", "node", drained));
        for (var round = 0; round < 300 && (await Kubectl.SucceedAsync("get", "node", drained, "-o", "jsonpath={.spec.taints}")).Length > 0; round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken); // the node lifecycle controller takes the taint off
        }
        Assert.Empty(await Kubectl.SucceedAsync("get", "node", drained, "-o", "jsonpath={.spec.taints}"));
        await Kubectl.SucceedAsync("scale", "deploy/web", "-n", Namespace, "--replicas=5");
        await Kubectl.SucceedAsync("wait", "deploy/web", "-n", Namespace, "--for=jsonpath={.status.readyReplicas}=5", "--timeout=30s");
        Assert.Contains(drained, await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=web", "-o", "jsonpath={.items[*].spec.nodeName}"),
            StringComparison.Ordinal);

        await DrainRefusesPodsNoControllerReplacesAsync(other);
    }

    /// <summary>The eviction subresource as kube-apiserver answers it: 429 with the budget's numbers, 500 for two budgets, a dry run that changes nothing.</summary>
    private async Task EvictionsAreRefusedBeyondTheBudgetAsync()
    {
        var pod = await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}");
        var eviction = await Kubectl.WriteManifestAsync($$$"""{"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "{{{pod}}}", "namespace": "{{{Namespace}}}"}}""");
        var path = $"api/v1/namespaces/{Namespace}/pods/{pod}/eviction";
        var raw = "/clusters/default/" + path; // kubectl's --raw path replaces the server's, cluster prefix and all

        // a dry run is allowed and leaves the pod and the budget as they were
        using var client = fixture.CreateAdminClient();
        var body = $$$"""{"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "{{{pod}}}"}}""";
        using (var dryRun = await client.PostAsync(path + "?dryRun=All", new StringContent(body, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Created, dryRun.StatusCode);
        }
        Assert.Equal("1 ", await Kubectl.SucceedAsync("get", "pdb/web", "-n", Namespace, "-o", "jsonpath={.status.disruptionsAllowed} {.status.disruptedPods}"));
        Assert.Empty(await Kubectl.SucceedAsync("get", "pod", pod, "-n", Namespace, "-o", "jsonpath={.metadata.deletionTimestamp}"));

        // evicting is creating pods/eviction, which a user without a role may not
        Assert.Contains("cannot create resource \"pods/eviction\"", await Kubectl.FailAsync("create", "--raw", raw, "-f", eviction, "--as=jane"),
            StringComparison.Ordinal);

        await Kubectl.SucceedAsync("patch", "pdb/web", "-n", Namespace, "--type=merge", "-p", """{"spec": {"minAvailable": 3}}""");
        await Kubectl.SucceedAsync("wait", "pdb/web", "-n", Namespace, "--for=jsonpath={.status.observedGeneration}=2", "--timeout=30s");
        Assert.Equal("0 InsufficientPods", await Kubectl.SucceedAsync("get", "pdb/web", "-n", Namespace, "-o",
            "jsonpath={.status.disruptionsAllowed} {.status.conditions[0].reason}"));
        Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.",
            await Kubectl.FailAsync("create", "--raw", raw, "-f", eviction), StringComparison.Ordinal);
        using var refused = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var status = JsonNode.Parse(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("TooManyRequests", status["reason"]!.GetValue<string>());
        Assert.Equal("DisruptionBudget", status["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("The disruption budget web needs 3 healthy pods and has 3 currently", status["details"]!["causes"]![0]!["message"]!.GetValue<string>());

        // two budgets over one pod: the eviction subresource cannot decide
        await Kubectl.CreateAsync($"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: second, namespace: {Namespace}}}\nspec: {{maxUnavailable: 1, selector: {{matchLabels: {{app: web}}}}}}");
        Assert.Contains("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            await Kubectl.FailAsync("create", "--raw", raw, "-f", eviction), StringComparison.Ordinal);
        await Kubectl.SucceedAsync("delete", "pdb/second", "-n", Namespace);
        Assert.Contains("NotFound", await Kubectl.FailAsync("create", "--raw", $"/clusters/default/api/v1/namespaces/{Namespace}/pods/missing/eviction", "-f",
            await Kubectl.WriteManifestAsync("""{"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "missing"}}""")), StringComparison.Ordinal);

        await Kubectl.SucceedAsync("patch", "pdb/web", "-n", Namespace, "--type=merge", "-p", """{"spec": {"minAvailable": 2}}""");
        await Kubectl.SucceedAsync("wait", "pdb/web", "-n", Namespace, "--for=jsonpath={.status.disruptionsAllowed}=1", "--timeout=30s");
    }

    /// <summary>Drain leaves bare pods (nothing would replace them) unless forced, and DaemonSet pods unless told to ignore them.</summary>
    private async Task DrainRefusesPodsNoControllerReplacesAsync(string node)
    {
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: Pod\nmetadata: {{name: bare, namespace: {Namespace}}}\nspec: {{nodeName: {node}, containers: [{{name: c, image: busybox}}]}}");
        await Kubectl.SucceedAsync("wait", "pod/bare", "-n", Namespace, "--for=condition=Ready", "--timeout=30s");
        var refused = await Kubectl.FailAsync("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=30s");
        Assert.Contains("bare", refused, StringComparison.Ordinal);
        Assert.Contains("--force", refused, StringComparison.Ordinal);
        Assert.Equal("Running", await Kubectl.SucceedAsync("get", "pod/bare", "-n", Namespace, "-o", "jsonpath={.status.phase}"));
        await Kubectl.SucceedAsync("uncordon", node);
    }
}
