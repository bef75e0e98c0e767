using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Tests.Kube;

/// <summary>
/// <c>kubectl apply --server-side</c> and the field ownership behind it: managedFields kept by every write,
/// conflicts with other managers, <c>--force-conflicts</c>, fields dropped from a configuration removed.
/// </summary>
public sealed class ServerSideApplyTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static string Deployment(string ns, int replicas, string containerExtra = "") => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {{ns}}
          labels: {app: web}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: nginx:1.27{{containerExtra}}
        """;

    [Fact]
    public async Task ApplyServerSide_CreatesThenConflictsWithAnotherManager_UntilForced()
    {
        await CreateNamespaceAsync("ssa-conflict");
        var created = await Kubectl.SucceedAsync("apply", "--server-side", "-f", await Kubectl.WriteManifestAsync(Deployment("ssa-conflict", 2)));
        var managers = await ManagersAsync("ssa-conflict");
        await Kubectl.SucceedAsync("scale", "deployment", "web", "-n", "ssa-conflict", "--replicas=5");

        var conflict = await Kubectl.RunAsync("apply", "--server-side", "-f", await Kubectl.WriteManifestAsync(Deployment("ssa-conflict", 3)));
        var forced = await Kubectl.SucceedAsync("apply", "--server-side", "--force-conflicts", "-f",
            await Kubectl.WriteManifestAsync(Deployment("ssa-conflict", 3)));
        var replicas = await Kubectl.SucceedAsync("get", "deployment", "web", "-n", "ssa-conflict", "-o", "jsonpath={.spec.replicas}");
        var after = await ManagersAsync("ssa-conflict");

        Assert.Contains("deployment.apps/web serverside-applied", created, StringComparison.Ordinal);
        Assert.Equal(["kubectl Apply"], managers);
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: .spec.replicas",
            conflict.Error, StringComparison.Ordinal);
        Assert.Contains("serverside-applied", forced, StringComparison.Ordinal);
        Assert.Equal("3", replicas);
        Assert.Equal(["kubectl Apply"], after); // the scaler lost its only field
    }

    [Fact]
    public async Task ApplyServerSide_DroppedField_IsRemoved_ButNotWhatOthersOwn()
    {
        await CreateNamespaceAsync("ssa-prune");
        var env = "\n        env: [{name: A, value: '1'}, {name: B, value: '2'}]";
        await Kubectl.SucceedAsync("apply", "--server-side", "-f", await Kubectl.WriteManifestAsync(Deployment("ssa-prune", 1, env)));
        await Kubectl.SucceedAsync("label", "deployment", "web", "-n", "ssa-prune", "owner=ops");

        await Kubectl.SucceedAsync("apply", "--server-side", "-f",
            await Kubectl.WriteManifestAsync(Deployment("ssa-prune", 1, "\n        env: [{name: A, value: '1'}]")));
        var envs = await Kubectl.SucceedAsync("get", "deployment", "web", "-n", "ssa-prune", "-o", "jsonpath={.spec.template.spec.containers[0].env}");
        var labels = await Kubectl.SucceedAsync("get", "deployment", "web", "-n", "ssa-prune", "-o", "jsonpath={.metadata.labels}");

        Assert.Equal("""[{"name":"A","value":"1"}]""", envs);
        Assert.Equal("""{"app":"web","owner":"ops"}""", labels);
    }

    [Fact]
    public async Task ApplyServerSide_AfterClientSideApply_TakesOverWithoutConflicts()
    {
        await CreateNamespaceAsync("ssa-upgrade");
        string Settings(string a) => $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: ssa-upgrade}}\ndata: {{a: '{a}'}}\n";
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Settings("1")));

        var serverSide = await Kubectl.SucceedAsync("apply", "--server-side", "-f", await Kubectl.WriteManifestAsync(Settings("2")));
        var lastApplied = await Kubectl.SucceedAsync("get", "configmap", "settings", "-n", "ssa-upgrade", "-o",
            "jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}");
        var clientSide = await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Settings("3")));
        var data = await Kubectl.SucceedAsync("get", "configmap", "settings", "-n", "ssa-upgrade", "-o", "jsonpath={.data.a}");

        Assert.Contains("serverside-applied", serverSide, StringComparison.Ordinal);
        Assert.Contains("\"a\":\"2\"", lastApplied, StringComparison.Ordinal);
        Assert.Contains("configured", clientSide, StringComparison.Ordinal);
        Assert.Equal("3", data);
    }

    [Fact]
    public async Task ApplyServerSide_Unchanged_WritesNothing()
    {
        await CreateNamespaceAsync("ssa-noop");
        var manifest = await Kubectl.WriteManifestAsync(Deployment("ssa-noop", 1));
        await Kubectl.SucceedAsync("apply", "--server-side", "-f", manifest);
        var before = await SettledResourceVersionAsync("ssa-noop");

        await Kubectl.SucceedAsync("apply", "--server-side", "-f", manifest);
        var after = await Kubectl.SucceedAsync("get", "deployment", "web", "-n", "ssa-noop", "-o", "jsonpath={.metadata.resourceVersion}");

        Assert.Equal(before, after);
    }

    [Fact]
    public async Task EveryWrite_RecordsItsManager()
    {
        await CreateNamespaceAsync("ssa-record");
        await Kubectl.SucceedAsync("create", "configmap", "cfg", "-n", "ssa-record", "--from-literal=a=1");
        await Kubectl.SucceedAsync("patch", "configmap", "cfg", "-n", "ssa-record", "-p", """{"data":{"b":"2"}}""");

        var fields = JsonNode.Parse(await Kubectl.SucceedAsync("get", "configmap", "cfg", "-n", "ssa-record", "-o", "json", "--show-managed-fields"))!
            ["metadata"]!["managedFields"]!.AsArray();

        Assert.Collection(fields,
            create =>
            {
                Assert.Equal("kubectl-create", create!["manager"]!.GetValue<string>());
                Assert.Equal("Update", create["operation"]!.GetValue<string>());
                Assert.Equal("""{"f:data":{".":{},"f:a":{}}}""", create["fieldsV1"]!.ToJsonString());
            },
            patch =>
            {
                Assert.Equal("kubectl-patch", patch!["manager"]!.GetValue<string>());
                Assert.Equal("""{"f:data":{"f:b":{}}}""", patch["fieldsV1"]!.ToJsonString());
            });
    }

    [Fact]
    public async Task ApplyPatch_WithoutFieldManager_Is422_AndYamlBodiesAreRead()
    {
        using var client = fixture.CreateAdminClient();
        var cancel = TestContext.Current.CancellationToken;
        var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  enabled: 'yes'\n";

        var missing = await client.PatchAsync("api/v1/namespaces/default/configmaps/from-yaml", Body(yaml, "application/apply-patch+yaml"), cancel);
        var applied = await client.PatchAsync("api/v1/namespaces/default/configmaps/from-yaml?fieldManager=tests", Body(yaml, "application/apply-patch+yaml"), cancel);
        var posted = await client.PostAsync("api/v1/namespaces/default/configmaps",
            Body(yaml.Replace("from-yaml", "posted-yaml", StringComparison.Ordinal), "application/yaml"), cancel);
        var duplicate = await client.PostAsync("api/v1/namespaces/default/configmaps",
            Body("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata: {a: '1', a: '2'}\n", "application/yaml"), cancel);

        Assert.Equal((HttpStatusCode)422, missing.StatusCode);
        Assert.Contains("fieldManager: Required value: is required for apply patch", await missing.Content.ReadAsStringAsync(cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        Assert.Equal("yes", JsonNode.Parse(await posted.Content.ReadAsStringAsync(cancel))!["data"]!["enabled"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Contains("already set in map", await duplicate.Content.ReadAsStringAsync(cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyStatus_MergesByOwnership_AmongTheStatusManagers()
    {
        // a ClusterIP Service: no controller of the server writes its status
        await CreateNamespaceAsync("ssa-status");
        await Kubectl.SucceedAsync("apply", "--server-side", "-f", await Kubectl.WriteManifestAsync(
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ssa-status}\nspec: {ports: [{port: 80}]}"));
        using var client = fixture.CreateAdminClient();
        var cancel = TestContext.Current.CancellationToken;
        static string Status(int address) =>
            $"{{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{{\"name\":\"web\"}},\"status\":{{\"loadBalancer\":{{\"ingress\":[{{\"ip\":\"127.0.0.{address}\"}}]}}}}}}";
        const string path = "api/v1/namespaces/ssa-status/services/web/status";

        var first = await client.PatchAsync($"{path}?fieldManager=controller", Body(Status(3), "application/apply-patch+yaml"), cancel);
        var other = await client.PatchAsync($"{path}?fieldManager=intruder", Body(Status(5), "application/apply-patch+yaml"), cancel);
        var renamed = await client.PatchAsync($"{path}?fieldManager=controller",
            Body(Status(4).Replace("\"name\":\"web\"", "\"name\":\"other\"", StringComparison.Ordinal), "application/apply-patch+yaml"), cancel);
        var applied = JsonNode.Parse(await first.Content.ReadAsStringAsync(cancel))!;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("127.0.0.3", applied["status"]!["loadBalancer"]!["ingress"]![0]!["ip"]!.GetValue<string>());
        Assert.Contains(applied["metadata"]!["managedFields"]!.AsArray(),
            e => e!["manager"]!.GetValue<string>() == "controller" && e["subresource"]?.GetValue<string>() == "status");
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"controller\" with subresource \"status\": .status.loadBalancer.ingress",
            JsonNode.Parse(await other.Content.ReadAsStringAsync(cancel))!["message"]!.GetValue<string>());
    }

    private static StringContent Body(string text, string mediaType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private async Task<string[]> ManagersAsync(string ns)
    {
        var obj = JsonNode.Parse(await Kubectl.SucceedAsync("get", "deployment", "web", "-n", ns, "-o", "json", "--show-managed-fields"))!;
        // the Deployment controller's status writes are its own business
        return [.. obj["metadata"]!["managedFields"]!.AsArray().Where(e => e!["subresource"]?.GetValue<string>() != "status")
            .Select(e => $"{e!["manager"]} {e["operation"]}")];
    }

    /// <summary>The Deployment's resourceVersion once its controller has stopped writing its status.</summary>
    private async Task<string> SettledResourceVersionAsync(string ns)
    {
        var seen = "";
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var now = await Kubectl.SucceedAsync("get", "deployment", "web", "-n", ns, "-o", "jsonpath={.metadata.resourceVersion}");
            if (now == seen)
            {
                return now;
            }
            seen = now;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        throw new TimeoutException($"the Deployment in {ns} kept changing");
    }

    private Task CreateNamespaceAsync(string name) => Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}");
}
