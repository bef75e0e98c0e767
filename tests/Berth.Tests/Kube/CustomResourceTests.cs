namespace Berth.Tests.Kube;

/// <summary>CustomResourceDefinitions: once established, their kinds are served like any other, checked by their schemas.</summary>
public sealed class CustomResourceTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private const string Definition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: crontabs.stable.example.com
        spec:
          group: stable.example.com
          scope: Namespaced
          names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            additionalPrinterColumns:
            - {name: Spec, type: string, jsonPath: .spec.cronSpec}
            - {name: Replicas, type: integer, jsonPath: .spec.replicas}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
            schema:
              openAPIV3Schema:
                type: object
                description: A schedule of jobs.
                properties:
                  spec:
                    type: object
                    required: [cronSpec]
                    properties:
                      cronSpec: {type: string, pattern: '^(\S+ ){4}\S+$', description: When to run.}
                      image: {type: string}
                      replicas: {type: integer, minimum: 1, maximum: 10}
                      mode: {type: string, enum: [fast, slow]}
                  status:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
        """;

    private Kubectl Kubectl => fixture.Kubectl;

    private async Task DefineAsync()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Definition));
        await Kubectl.SucceedAsync("wait", "--for=condition=Established", "crd/crontabs.stable.example.com", "--timeout=20s");
    }

    private static string CronTab(string name, string extra = "") => $$"""
        apiVersion: stable.example.com/v1
        kind: CronTab
        metadata: {name: {{name}}, namespace: default}
        spec:
          cronSpec: "* * * * */5"
          image: my-cron-image
          replicas: 2{{extra}}
        """;

    [Fact]
    public async Task CustomResource_IsServedAndPrintedWithItsColumns()
    {
        await DefineAsync();

        var created = await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(CronTab("nightly")));
        var table = await Kubectl.SucceedAsync("get", "ct");
        var image = await Kubectl.SucceedAsync("get", "crontab", "nightly", "-o", "jsonpath={.spec.image}");
        var resources = await Kubectl.SucceedAsync("api-resources", "--api-group=stable.example.com");
        var explained = await Kubectl.SucceedAsync("explain", "crontabs.spec");

        Assert.Contains("crontab.stable.example.com/nightly created", created, StringComparison.Ordinal);
        Assert.Matches(@"NAME\s+SPEC\s+REPLICAS\s+AGE", table);
        Assert.Matches(@"nightly\s+\* \* \* \* \*/5\s+2\s+\d+s", table);
        Assert.Equal("my-cron-image", image);
        Assert.Matches(@"crontabs\s+ct\s+stable\.example\.com/v1\s+true\s+CronTab", resources);
        Assert.Matches(@"cronSpec\s+<string> -required-", explained);
    }

    [Fact]
    public async Task CustomResource_IsCheckedAgainstItsSchema()
    {
        await DefineAsync();

        var missing = await Kubectl.FailAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: stable.example.com/v1
            kind: CronTab
            metadata: {name: nospec, namespace: default}
            spec: {image: x}
            """));
        var tooMany = await Kubectl.FailAsync("apply", "-f", await Kubectl.WriteManifestAsync(CronTab("many").Replace("replicas: 2", "replicas: 11", StringComparison.Ordinal)));
        var badMode = await Kubectl.FailAsync("apply", "-f", await Kubectl.WriteManifestAsync(CronTab("moody", "\n  mode: medium")));
        var unknown = await Kubectl.FailAsync("apply", "-f", await Kubectl.WriteManifestAsync(CronTab("extra", "\n  colour: red")));

        Assert.Contains("spec.cronSpec: Required value", missing, StringComparison.Ordinal);
        Assert.Contains("spec.replicas in body should be less than or equal to 10", tooMany, StringComparison.Ordinal);
        Assert.Contains("spec.mode: Unsupported value: \"medium\": supported values: \"fast\", \"slow\"", badMode, StringComparison.Ordinal);
        Assert.Contains("unknown field \"spec.colour\"", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingTheDefinition_DeletesItsResources_ThenStopsServingThem()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Definition.Replace("crontabs", "jobtabs", StringComparison.Ordinal)
            .Replace("CronTab", "JobTab", StringComparison.Ordinal).Replace("crontab", "jobtab", StringComparison.Ordinal).Replace("[ct]", "[jt]", StringComparison.Ordinal)));
        await Kubectl.SucceedAsync("wait", "--for=condition=Established", "crd/jobtabs.stable.example.com", "--timeout=20s");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(CronTab("doomed").Replace("CronTab", "JobTab", StringComparison.Ordinal)));

        await Kubectl.SucceedAsync("delete", "crd", "jobtabs.stable.example.com", "--timeout=30s");
        var after = await Kubectl.RunAsync("get", "jobtabs.stable.example.com");

        Assert.NotEqual(0, after.ExitCode);
        Assert.Contains("the server doesn't have a resource type", after.Error, StringComparison.Ordinal);
    }
}
