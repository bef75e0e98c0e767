namespace Berth.Tests.Kube;

/// <summary>Deployments through the stock kubectl: defaults, printing, scale, set image, status, validation.</summary>
public sealed class DeploymentTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static string Deployment(string name, string selectorApp = "web") => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
        spec:
          replicas: 3
          selector:
            matchLabels: {app: {{selectorApp}}}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: httpd
                image: busybox:1.36
                ports: [{containerPort: 80}]
        """;

    [Fact]
    public async Task Create_FillsKubernetesDefaults_AndPrintsDeploymentColumns()
    {
        await Kubectl.CreateAsync(Deployment("defaults"));

        var fields = await Kubectl.SucceedAsync("get", "deploy", "defaults", "-o",
            "jsonpath={.metadata.generation} {.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit} " +
            "{.spec.progressDeadlineSeconds} {.spec.template.spec.restartPolicy} {.spec.template.spec.containers[0].imagePullPolicy} " +
            "{.spec.template.spec.containers[0].ports[0].protocol}");
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.updatedReplicas}=3", "deploy/defaults", "--timeout=30s");
        var table = await Kubectl.SucceedAsync("get", "deployments", "defaults", "-o", "wide");

        Assert.Equal("1 RollingUpdate 25% 10 600 Always IfNotPresent TCP", fields);
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR", table);
        Assert.Matches(@"defaults\s+0/3\s+3\s+0\s+\d+s\s+httpd\s+busybox:1.36\s+app=web", table); // no node runs the pods
    }

    [Fact]
    public async Task ScaleAndSetImage_ChangeTheSpecAndAdvanceTheGeneration()
    {
        await Kubectl.CreateAsync(Deployment("rolled"));

        Assert.Contains("deployment.apps/rolled scaled", await Kubectl.SucceedAsync("scale", "deployment", "rolled", "--replicas=5"), StringComparison.Ordinal);
        Assert.Contains("image updated", await Kubectl.SucceedAsync("set", "image", "deployment/rolled", "httpd=busybox:1.37"), StringComparison.Ordinal);

        await Kubectl.SucceedAsync("annotate", "deployment", "rolled", "note=deployments count annotations");
        await Kubectl.SucceedAsync("label", "deployment", "rolled", "labels=do-not");

        var fields = await Kubectl.SucceedAsync("get", "deploy", "rolled", "-o",
            "jsonpath={.spec.replicas} {.metadata.generation} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}");
        Assert.Equal("5 4 busybox:1.37 80", fields);
    }

    [Fact]
    public async Task StatusSubresource_IsTheOnlyWayToChangeStatus()
    {
        await Kubectl.CreateAsync(Deployment("status"));

        await Kubectl.SucceedAsync("patch", "deploy", "status", "--type=merge", "-p", """{"status":{"readyReplicas":9}}""");
        var ignored = await Kubectl.SucceedAsync("get", "deploy", "status", "-o", "jsonpath={.status.readyReplicas}");
        // the written object is answered; the Deployment controller then writes the status it counts
        var written = await Kubectl.SucceedAsync("patch", "deploy", "status", "--subresource=status", "--type=merge", "-p",
            """{"status":{"readyReplicas":2,"replicas":3}}""", "-o", "jsonpath={.status.readyReplicas}/{.status.replicas}");

        Assert.Equal("", ignored);
        Assert.Equal("2/3", written);
    }

    [Fact]
    public async Task Create_SelectorNotMatchingTemplate_IsInvalid()
    {
        var error = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync(Deployment("mismatch", selectorApp: "api")));

        Assert.Contains("The Deployment \"mismatch\" is invalid", error, StringComparison.Ordinal);
        Assert.Contains("spec.template.metadata.labels: Invalid value", error, StringComparison.Ordinal);
        Assert.Contains("`selector` does not match template `labels`", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_Selector_IsImmutable()
    {
        await Kubectl.CreateAsync(Deployment("fixed"));

        var error = await Kubectl.FailAsync("patch", "deploy", "fixed", "--type=merge", "-p",
            """{"spec":{"selector":{"matchLabels":{"app":"web","x":"y"}},"template":{"metadata":{"labels":{"app":"web","x":"y"}}}}}""");

        Assert.Contains("spec.selector: Invalid value", error, StringComparison.Ordinal);
        Assert.Contains("field is immutable", error, StringComparison.Ordinal);
    }
}
