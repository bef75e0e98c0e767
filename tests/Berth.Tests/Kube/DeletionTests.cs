using System.Text.Json.Nodes;

namespace Berth.Tests.Kube;

/// <summary>Deletion as Kubernetes does it: finalizers, cascading through ownerReferences, namespaces that empty themselves.</summary>
public sealed class DeletionTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    /// <summary>An owner ConfigMap and a Secret that names it as its owner.</summary>
    private async Task CreateOwnerAndDependentAsync(string ns)
    {
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}");
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: owner, namespace: {ns}}}");
        var uid = await Kubectl.SucceedAsync("get", "configmap", "owner", "-n", ns, "-o", "jsonpath={.metadata.uid}");
        await Kubectl.CreateAsync($$"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: dependent
              namespace: {{ns}}
              ownerReferences:
              - {apiVersion: v1, kind: ConfigMap, name: owner, uid: "{{uid}}", blockOwnerDeletion: true}
            """);
    }

    [Theory]
    [InlineData("background")]
    [InlineData("foreground")]
    public async Task DeleteOwner_TakesItsDependentsWithIt(string cascade)
    {
        var ns = "cascade-" + cascade;
        await CreateOwnerAndDependentAsync(ns);

        await Kubectl.SucceedAsync("delete", "configmap", "owner", "-n", ns, $"--cascade={cascade}");
        await Kubectl.SucceedAsync("wait", "--for=delete", "secret/dependent", "-n", ns, "--timeout=20s");
        var owner = await Kubectl.RunAsync("get", "configmap", "owner", "-n", ns);

        Assert.Contains("not found", owner.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodOnANode_IsDeletedGracefully_SurvivesWritesWhileTerminating_AndGoesOnAGraceZeroDelete()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: graceful}");
        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: placed, namespace: graceful, finalizers: [example.com/hold]}
            spec: {nodeName: no-agent-here, terminationGracePeriodSeconds: 45, containers: [{name: c, image: busybox}]}
            """);

        // bound to a node, the pod waits for its agent: Terminating with its grace period
        await Kubectl.SucceedAsync("delete", "pod", "placed", "-n", "graceful", "--wait=false");
        Assert.Equal("45", await Kubectl.SucceedAsync("get", "pod", "placed", "-n", "graceful", "-o", "jsonpath={.metadata.deletionGracePeriodSeconds}"));
        // a write while it terminates (the agent's status, a label) keeps it, even with no finalizer left
        await Kubectl.SucceedAsync("patch", "pod", "placed", "-n", "graceful", "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        await Kubectl.SucceedAsync("label", "pod", "placed", "-n", "graceful", "seen=yes");
        var kept = await Kubectl.SucceedAsync("get", "pod", "placed", "-n", "graceful", "-o", "jsonpath={.metadata.labels.seen} {.metadata.deletionTimestamp}");
        Assert.StartsWith("yes 20", kept, StringComparison.Ordinal);

        // the agent's confirmation, a delete with grace 0, removes it
        await Kubectl.SucceedAsync("delete", "pod", "placed", "-n", "graceful", "--grace-period=0", "--force");
        Assert.Contains("not found", (await Kubectl.RunAsync("get", "pod", "placed", "-n", "graceful")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PodHeldByAFinalizer_TakesAGraceZeroDelete_AndGoesWhenTheFinalizerDoes()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: graceful-held}");
        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: held, namespace: graceful-held, finalizers: [example.com/hold]}
            spec: {nodeName: no-agent-here, containers: [{name: c, image: busybox}]}
            """);

        await Kubectl.SucceedAsync("delete", "pod", "held", "-n", "graceful-held", "--wait=false");
        await Kubectl.SucceedAsync("delete", "pod", "held", "-n", "graceful-held", "--grace-period=0", "--force", "--wait=false");
        Assert.Equal("0", await Kubectl.SucceedAsync("get", "pod", "held", "-n", "graceful-held", "-o", "jsonpath={.metadata.deletionGracePeriodSeconds}"));

        await Kubectl.SucceedAsync("patch", "pod", "held", "-n", "graceful-held", "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        await Kubectl.SucceedAsync("wait", "--for=delete", "pod/held", "-n", "graceful-held", "--timeout=20s");
    }

    [Fact]
    public async Task DeleteOwner_Orphan_LeavesTheDependentWithoutItsOwner()
    {
        await CreateOwnerAndDependentAsync("cascade-orphan");

        await Kubectl.SucceedAsync("delete", "configmap", "owner", "-n", "cascade-orphan", "--cascade=orphan");
        var owners = await Kubectl.SucceedAsync("get", "secret", "dependent", "-n", "cascade-orphan", "-o", "jsonpath={.metadata.ownerReferences}");

        Assert.Equal("", owners);
    }

    [Fact]
    public async Task ClusterScopedDependent_OfANamespacedKind_IsKept_AndAWarningEventSaysWhy()
    {
        await Kubectl.CreateAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: owned-by-a-configmap
              ownerReferences:
              - {apiVersion: v1, kind: ConfigMap, name: owner, uid: 0b6c4c2e-3f57-4d37-9a6e-5c1f1a3c2b10}
            """);

        var message = "";
        for (var attempt = 0; attempt < 100 && message.Length == 0; attempt++)
        {
            message = await Kubectl.SucceedAsync("get", "events", "-n", "default", "--field-selector",
                "reason=OwnerRefInvalidNamespace,involvedObject.name=owned-by-a-configmap", "-o", "jsonpath={.items[*].message}");
            if (message.Length == 0)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
        }
        var type = await Kubectl.SucceedAsync("get", "events", "-n", "default", "--field-selector",
            "reason=OwnerRefInvalidNamespace,involvedObject.name=owned-by-a-configmap", "-o", "jsonpath={.items[0].type}");
        var kept = await Kubectl.RunAsync("get", "clusterrole", "owned-by-a-configmap");

        Assert.Equal(
            "ownerRef [v1/ConfigMap, namespace: , name: owner, uid: 0b6c4c2e-3f57-4d37-9a6e-5c1f1a3c2b10] does not exist in namespace \"\"", message);
        Assert.Equal("Warning", type);
        Assert.Equal(0, kept.ExitCode);
    }

    [Fact]
    public async Task Finalizer_HoldsTheObjectUntilItIsRemoved()
    {
        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: held, namespace: default, finalizers: [example.com/hold]}
            """);

        var deleted = await Kubectl.SucceedAsync("delete", "configmap", "held", "--wait=false");
        var marked = await Kubectl.SucceedAsync("get", "configmap", "held", "-o", "jsonpath={.metadata.deletionTimestamp}");
        var added = await Kubectl.RunAsync("patch", "configmap", "held", "--type=json", "-p", """[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/more"}]""");
        await Kubectl.SucceedAsync("patch", "configmap", "held", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        await Kubectl.SucceedAsync("wait", "--for=delete", "configmap/held", "--timeout=20s");

        Assert.Contains("configmap \"held\" deleted", deleted, StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", marked);
        Assert.NotEqual(0, added.ExitCode);
        Assert.Contains("no new finalizers can be added if the object is being deleted", added.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteNamespace_TerminatesThenRemovesEverythingInIt()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: doomed}");
        await Kubectl.CreateAsync("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: doomed, finalizers: [example.com/slow]}");
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Secret\nmetadata: {name: b, namespace: doomed}");

        await Kubectl.SucceedAsync("delete", "namespace", "doomed", "--wait=false");
        var phase = await Kubectl.SucceedAsync("get", "namespace", "doomed", "-o", "jsonpath={.status.phase}");
        await Kubectl.SucceedAsync("wait", "--for=delete", "secret/b", "-n", "doomed", "--timeout=20s");
        var refused = await Kubectl.RunAsync("create", "-f", await Kubectl.WriteManifestAsync("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late, namespace: doomed}"));
        await Kubectl.SucceedAsync("patch", "configmap", "a", "-n", "doomed", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        await Kubectl.SucceedAsync("wait", "--for=delete", "namespace/doomed", "--timeout=20s");

        Assert.Equal("Terminating", phase);
        Assert.Contains("because it is being terminated", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteCollection_DeletesWhatTheSelectorPicks()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: sweep}");
        foreach (var (name, tier) in new[] { ("a", "cache"), ("b", "cache"), ("c", "db") })
        {
            await Kubectl.CreateAsync($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: sweep, labels: {{tier: {tier}}}}}");
        }
        using var http = fixture.CreateAdminClient();

        var response = await http.DeleteAsync("api/v1/namespaces/sweep/configmaps?labelSelector=tier%3Dcache", TestContext.Current.CancellationToken);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var left = await Kubectl.SucceedAsync("get", "configmaps", "-n", "sweep", "-o", "name");

        Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
        Assert.Equal(["a", "b"], list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).Order());
        Assert.Equal("configmap/c", left.Trim());
    }
}
