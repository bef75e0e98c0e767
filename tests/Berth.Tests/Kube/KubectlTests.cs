using System.Net;

namespace Berth.Tests.Kube;

/// <summary>The stock kubectl against <c>berth server</c>, step by step as a user types it.</summary>
public sealed class KubectlTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static string Manifest(string ns) => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: {{ns}}
          labels: {app: web, tier: front}
        data:
          a: "1"
          b: "2"
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
          namespace: {{ns}}
        stringData:
          password: hunter2
        """;

    [Fact]
    public async Task Version_ReportsTheServedKubernetesRelease()
    {
        var output = await Kubectl.SucceedAsync("version");

        Assert.Contains("Server Version: v1.32", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetNamespaces_ListsTheSystemNamespaces()
    {
        var output = await Kubectl.SucceedAsync("get", "namespaces");

        Assert.Matches(@"NAME\s+STATUS\s+AGE", output);
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Assert.Matches($@"(?m)^{ns}\s+Active\s+\d+[smhd]", output);
        }
    }

    [Fact]
    public async Task CreateGetDelete_ConfigMapAndSecret_FromAManifest()
    {
        var manifest = await Kubectl.WriteManifestAsync(Manifest("flow"));
        await CreateNamespaceAsync("flow");

        var created = await Kubectl.SucceedAsync("create", "-f", manifest);
        var table = await Kubectl.SucceedAsync("get", "configmaps,secrets", "-n", "flow");
        var value = await Kubectl.SucceedAsync("get", "configmap", "settings", "-n", "flow", "-o", "jsonpath={.data.b}");
        var secret = await Kubectl.SucceedAsync("get", "secret", "creds", "-n", "flow", "-o", "jsonpath={.data.password}");
        var deleted = await Kubectl.SucceedAsync("delete", "-f", manifest);
        var after = await Kubectl.RunAsync("get", "configmaps", "-n", "flow");

        Assert.Contains("configmap/settings created", created, StringComparison.Ordinal);
        Assert.Contains("secret/creds created", created, StringComparison.Ordinal);
        Assert.Matches(@"configmap/settings\s+2\s+\d+s", table);
        Assert.Matches(@"secret/creds\s+Opaque\s+1\s+\d+s", table);
        Assert.Equal("2", value);
        Assert.Equal(Convert.ToBase64String("hunter2"u8.ToArray()), secret);
        Assert.Contains("configmap \"settings\" deleted", deleted, StringComparison.Ordinal);
        Assert.Contains("No resources found in flow namespace.", after.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_LabelSelector_PicksMatchingObjects()
    {
        await CreateNamespaceAsync("labels");
        var manifest = await Kubectl.WriteManifestAsync(Manifest("labels"));
        await Kubectl.SucceedAsync("create", "-f", manifest);

        var matching = await Kubectl.SucceedAsync("get", "cm", "-n", "labels", "-l", "app=web,tier in (front,back)", "-o", "name");
        var none = await Kubectl.RunAsync("get", "cm", "-n", "labels", "-l", "app!=web", "-o", "name");

        Assert.Equal("configmap/settings", matching.Trim());
        Assert.Equal("", none.Output.Trim());
    }

    [Fact]
    public async Task LabelAnnotatePatch_ChangeTheStoredObject()
    {
        await CreateNamespaceAsync("patched");
        var manifest = await Kubectl.WriteManifestAsync(Manifest("patched"));
        await Kubectl.SucceedAsync("create", "-f", manifest);

        Assert.Contains("configmap/settings labeled", await Kubectl.SucceedAsync("label", "cm", "settings", "-n", "patched", "stage=prod"), StringComparison.Ordinal);
        Assert.Contains("configmap/settings annotated", await Kubectl.SucceedAsync("annotate", "cm", "settings", "-n", "patched", "owner=team"), StringComparison.Ordinal);
        await Kubectl.SucceedAsync("patch", "cm", "settings", "-n", "patched", "-p", """{"data":{"c":"3"}}""");
        await Kubectl.SucceedAsync("patch", "cm", "settings", "-n", "patched", "--type=merge", "-p", """{"data":{"b":null}}""");
        await Kubectl.SucceedAsync("patch", "cm", "settings", "-n", "patched", "--type=json", "-p", """[{"op":"replace","path":"/data/a","value":"10"}]""");
        await Kubectl.SucceedAsync("label", "cm", "settings", "-n", "patched", "tier-");

        var result = await Kubectl.SucceedAsync("get", "cm", "settings", "-n", "patched", "-o",
            "jsonpath={.metadata.labels.stage} {.metadata.labels.tier} {.metadata.annotations.owner} {.data.a} {.data.b} {.data.c}");
        Assert.Equal("prod  team 10  3", result);
    }

    [Fact]
    public async Task Get_Missing_PrintsKubernetesNotFound()
    {
        var error = await Kubectl.FailAsync("get", "configmap", "nope");

        Assert.Contains("Error from server (NotFound): configmaps \"nope\" not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Twice_PrintsAlreadyExists()
    {
        await CreateNamespaceAsync("twice");

        var manifest = await Kubectl.WriteManifestAsync("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: twice\n");

        var error = await Kubectl.FailAsync("create", "-f", manifest);

        Assert.Contains("Error from server (AlreadyExists)", error, StringComparison.Ordinal);
        Assert.Contains("namespaces \"twice\" already exists", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_InvalidName_PrintsInvalidWithTheField()
    {
        var manifest = await Kubectl.WriteManifestAsync("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\n");

        var error = await Kubectl.FailAsync("create", "-f", manifest);

        Assert.Contains("is invalid: metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 subdomain", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_InMissingNamespace_PrintsNamespaceNotFound()
    {
        var manifest = await Kubectl.WriteManifestAsync(Manifest("nowhere"));

        var error = await Kubectl.FailAsync("create", "-f", manifest);

        Assert.Contains("namespaces \"nowhere\" not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteNamespace_RemovesEverythingInIt()
    {
        await CreateNamespaceAsync("doomed");
        var manifest = await Kubectl.WriteManifestAsync(Manifest("doomed"));
        await Kubectl.SucceedAsync("create", "-f", manifest);

        await Kubectl.SucceedAsync("delete", "namespace", "doomed");

        var leftovers = await Kubectl.SucceedAsync("get", "configmaps,secrets", "-A", "-o", "custom-columns=NS:.metadata.namespace", "--no-headers");
        Assert.DoesNotContain("doomed", leftovers, StringComparison.Ordinal);
        Assert.Contains("namespaces \"doomed\" not found", await Kubectl.FailAsync("get", "namespace", "doomed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetWatch_ReceivesACreationMadeWhileWatching()
    {
        await CreateNamespaceAsync("watched");
        var manifest = await Kubectl.WriteManifestAsync(Manifest("watched"));
        await using var watch = Kubectl.Start("get", "configmaps", "-n", "watched", "--watch", "-v=6");
        // kubectl logs the watch request once the server has answered it: from then on, changes stream.
        await watch.WaitForErrorLineAsync(line => line.Contains("watch=true", StringComparison.Ordinal) && line.Contains("200 OK", StringComparison.Ordinal));

        await Kubectl.SucceedAsync("create", "-f", manifest);

        await watch.WaitForOutputLineAsync(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^settings\s+2\s+\d+s"));
    }

    [Fact]
    public async Task Request_WithoutClientCertificate_Is401()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);

        var response = await http.GetAsync(new Uri(fixture.Server.KubeAddress, "/clusters/default/api/v1/namespaces"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"reason\":\"Unauthorized\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private Task CreateNamespaceAsync(string name) =>
        Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n");
}
