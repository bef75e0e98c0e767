namespace Berth.Tests.Kube;

/// <summary>kubectl's typed commands, which send their objects as protobuf only.</summary>
public sealed class KubectlGeneratorTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    [Fact]
    public async Task CreateNamespace_ThenConfigMapAndSecretFromLiterals()
    {
        var ns = await Kubectl.SucceedAsync("create", "namespace", "typed");
        var configMap = await Kubectl.SucceedAsync("create", "configmap", "settings", "-n", "typed", "--from-literal=mode=fast", "--from-literal=empty=");
        var secret = await Kubectl.SucceedAsync("create", "secret", "generic", "creds", "-n", "typed", "--from-literal=password=hunter2");
        var data = await Kubectl.SucceedAsync("get", "configmap", "settings", "-n", "typed", "-o", "jsonpath={.data}");
        var password = await Kubectl.SucceedAsync("get", "secret", "creds", "-n", "typed", "-o", "jsonpath={.data.password}");
        var type = await Kubectl.SucceedAsync("get", "secret", "creds", "-n", "typed", "-o", "jsonpath={.type}");

        Assert.Equal("namespace/typed created", ns.Trim());
        Assert.Equal("configmap/settings created", configMap.Trim());
        Assert.Equal("secret/creds created", secret.Trim());
        Assert.Equal("""{"empty":"","mode":"fast"}""", data);
        Assert.Equal(Convert.ToBase64String("hunter2"u8.ToArray()), password);
        Assert.Equal("Opaque", type);
    }

    [Fact]
    public async Task CreateDeployment_HasTheImagePortsAndReplicasAsked()
    {
        await Kubectl.SucceedAsync("create", "namespace", "typed-deploy");

        var created = await Kubectl.SucceedAsync("create", "deployment", "web", "-n", "typed-deploy", "--image=nginx:1.27", "--replicas=3", "--port=8080");
        var spec = await Kubectl.SucceedAsync("get", "deployment", "web", "-n", "typed-deploy", "-o",
            "jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.spec.template.spec.restartPolicy} {.metadata.creationTimestamp}");

        Assert.Equal("deployment.apps/web created", created.Trim());
        Assert.Matches(@"^3 web nginx:1\.27 8080 Always \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", spec);
    }

    [Fact]
    public async Task Create_DryRunServer_StoresNothing()
    {
        var output = await Kubectl.SucceedAsync("create", "configmap", "dry", "--from-literal=a=1", "--dry-run=server");
        var after = await Kubectl.RunAsync("get", "configmap", "dry");

        Assert.Equal("configmap/dry created (server dry run)", output.Trim());
        Assert.Contains("configmaps \"dry\" not found", after.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthCanI_AnswersYesOrNo()
    {
        var admin = await Kubectl.RunAsync("auth", "can-i", "delete", "deployments", "-n", "default");
        var nobody = await Kubectl.RunAsync("auth", "can-i", "list", "pods", "--as=nobody");

        Assert.Equal((0, "yes"), (admin.ExitCode, admin.Output.Trim()));
        Assert.Equal((1, "no"), (nobody.ExitCode, nobody.Output.Trim()));
    }

    [Fact]
    public async Task CreateToken_IssuesAServiceAccountToken()
    {
        await Kubectl.SucceedAsync("create", "namespace", "typed-token");
        await Kubectl.SucceedAsync("create", "serviceaccount", "robot", "-n", "typed-token");

        var token = await Kubectl.SucceedAsync("create", "token", "robot", "-n", "typed-token", "--duration=20m");

        Assert.Matches(@"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$", token.Trim());
    }
}
