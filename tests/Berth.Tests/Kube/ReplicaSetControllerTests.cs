namespace Berth.Tests.Kube;

/// <summary>
/// A ReplicaSet applied with kubectl gets its pods, made from its template and owned by it; they are replaced when
/// deleted, cut back when it is scaled down, and an orphan matching its selector is adopted.
/// </summary>
public sealed class ReplicaSetControllerTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private const string Namespace = "replicas";

    private async Task<string[]> PodsAsync() =>
        (await Kubectl.SucceedAsync("get", "pods", "-n", Namespace, "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private Task WaitForReplicasAsync(int count) =>
        Kubectl.SucceedAsync("wait", "-n", Namespace, $"--for=jsonpath={{.status.replicas}}={count}", "rs/web", "--timeout=30s");

    [Fact]
    public async Task ReplicaSet_KeepsItsPodCount()
    {
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {Namespace}}}");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync($$$"""
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: web, namespace: {{{Namespace}}}}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web, tier: front}, annotations: {note: from-template}}
                spec:
                  containers:
                  - {name: httpd, image: busybox}
            """));

        await WaitForReplicasAsync(3);
        var pods = await PodsAsync();
        Assert.Equal(3, pods.Length);
        Assert.All(pods, p => Assert.Matches("^web-[a-z0-9]{5}$", p));
        var owner = await Kubectl.SucceedAsync("get", "pod", pods[0], "-n", Namespace, "-o",
            "jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller} {.metadata.labels.tier} {.metadata.annotations.note}");
        Assert.Equal("ReplicaSet/web true front from-template", owner);
        var created = await Kubectl.SucceedAsync("get", "events", "-n", Namespace, "--field-selector", "reason=SuccessfulCreate", "-o", "jsonpath={.items[*].message}");
        Assert.Contains($"Created pod: {pods[0]}", created, StringComparison.Ordinal);

        // a deleted pod is replaced
        await Kubectl.SucceedAsync("delete", "pod", pods[0], "-n", Namespace, "--wait=false");
        await Kubectl.SucceedAsync("wait", "-n", Namespace, "--for=delete", $"pod/{pods[0]}", "--timeout=30s");
        await WaitForReplicasAsync(3);
        var replaced = await PodsAsync();
        Assert.Equal(3, replaced.Length);
        Assert.DoesNotContain(pods[0], replaced);

        // scaled down, the surplus goes
        await Kubectl.SucceedAsync("scale", "rs/web", "-n", Namespace, "--replicas=1");
        await WaitForReplicasAsync(1);
        Assert.Single(await PodsAsync());

        // an orphan that matches is adopted, and counts toward the replicas; it is already on a node, so when the
        // set briefly has one pod too many it is not the one deleted (unplaced pods go first)
        await Kubectl.SucceedAsync("scale", "rs/web", "-n", Namespace, "--replicas=3");
        await Kubectl.CreateAsync($"apiVersion: v1\nkind: Pod\nmetadata: {{name: stray, namespace: {Namespace}, labels: {{app: web}}}}\nspec: {{nodeName: elsewhere, containers: [{{name: c, image: busybox}}]}}");
        await WaitForReplicasAsync(3);
        await Kubectl.SucceedAsync("wait", "-n", Namespace, "--for=jsonpath={.metadata.ownerReferences[0].name}=web", "pod/stray", "--timeout=30s");
        Assert.Equal(3, (await PodsAsync()).Length);

        // deleting the set deletes its pods (garbage collection by owner); the stray is bound to a node with no
        // agent to confirm that its containers stopped, so it stays Terminating
        var owned = (await PodsAsync()).Where(p => p != "stray").Select(p => $"pod/{p}").ToArray();
        await Kubectl.SucceedAsync("delete", "rs/web", "-n", Namespace);
        await Kubectl.SucceedAsync(["wait", "-n", Namespace, "--for=delete", .. owned, "--timeout=30s"]);
        await Kubectl.SucceedAsync("wait", "-n", Namespace, "--for=jsonpath={.metadata.deletionTimestamp}", "pod/stray", "--timeout=30s");
    }
}
