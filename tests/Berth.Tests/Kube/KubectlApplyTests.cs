namespace Berth.Tests.Kube;

/// <summary>
/// kubectl's declarative commands, which read the server's OpenAPI and leave field validation to the server:
/// apply (a three-way merge), diff, replace, edit, explain.
/// </summary>
public sealed class KubectlApplyTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static string Manifest(string ns, int replicas, string settings) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {{ns}}
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
                image: nginx:1.27
                ports:
                - containerPort: 80
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: {{ns}}
        data:
          {{settings}}
        """;

    [Fact]
    public async Task Apply_Again_MergesThreeWays()
    {
        await CreateNamespaceAsync("apply-merge");
        var first = await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Manifest("apply-merge", 2, "{a: '1', b: '2'}")));
        await Kubectl.SucceedAsync("label", "configmap", "settings", "-n", "apply-merge", "owner=ops");

        var second = await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Manifest("apply-merge", 3, "{a: '1'}")));
        var replicas = await Kubectl.SucceedAsync("get", "deployment", "web", "-n", "apply-merge", "-o", "jsonpath={.spec.replicas}");
        var data = await Kubectl.SucceedAsync("get", "configmap", "settings", "-n", "apply-merge", "-o", "jsonpath={.data}");
        var label = await Kubectl.SucceedAsync("get", "configmap", "settings", "-n", "apply-merge", "-o", "jsonpath={.metadata.labels.owner}");

        Assert.Contains("deployment.apps/web created", first, StringComparison.Ordinal);
        Assert.Contains("configmap/settings created", first, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/web configured", second, StringComparison.Ordinal);
        Assert.Equal("3", replicas);
        Assert.Equal("""{"a":"1"}""", data); // dropped from the manifest, so removed
        Assert.Equal("ops", label); // set by another writer, so kept
    }

    [Fact]
    public async Task Diff_ExitsOneAndShowsTheChange_ZeroWhenThereIsNone()
    {
        await CreateNamespaceAsync("apply-diff");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Manifest("apply-diff", 1, "{a: '1'}")));

        // The deployment controller annotates and reports status just after the create; diff compares against
        // the live object, so it is unchanged only once those writes are in.
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.replicas}=1", "deployment/web", "-n", "apply-diff", "--timeout=30s");
        var unchangedManifest = await Kubectl.WriteManifestAsync(Manifest("apply-diff", 1, "{a: '1'}"));
        var same = await Kubectl.RunAsync("diff", "-f", unchangedManifest);
        for (var attempt = 0; same.ExitCode != 0 && attempt < 5; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
            same = await Kubectl.RunAsync("diff", "-f", unchangedManifest);
        }

        var changed = await Kubectl.RunAsync("diff", "-f", await Kubectl.WriteManifestAsync(Manifest("apply-diff", 4, "{a: '1'}")));

        Assert.True(same.ExitCode == 0, same.Output);
        Assert.Equal(1, changed.ExitCode);
        Assert.Matches(@"(?m)^-\s+replicas: 1$", changed.Output);
        Assert.Matches(@"(?m)^\+\s+replicas: 4$", changed.Output);
    }

    [Fact]
    public async Task Apply_UnknownField_IsRefusedNamingIt_OrWarnedWhenAsked()
    {
        await CreateNamespaceAsync("apply-strict");
        var manifest = await Kubectl.WriteManifestAsync(Manifest("apply-strict", 1, "{a: '1'}")
            .Replace("  replicas: 1", "  replicas: 1\n  replicaz: 2", StringComparison.Ordinal));

        var refused = await Kubectl.FailAsync("apply", "-f", manifest);
        var (exitCode, output, warning) = await Kubectl.RunAsync("apply", "-f", manifest, "--validate=warn");

        Assert.Contains("""strict decoding error: unknown field "spec.replicaz" """.TrimEnd(), refused, StringComparison.Ordinal);
        Assert.Equal(0, exitCode);
        Assert.Contains("deployment.apps/web created", output, StringComparison.Ordinal);
        Assert.Contains("""Warning: unknown field "spec.replicaz" """.TrimEnd(), warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplaceAndEdit_WriteTheWholeObject()
    {
        await CreateNamespaceAsync("apply-edit");
        await Kubectl.SucceedAsync("create", "-f", await Kubectl.WriteManifestAsync(Manifest("apply-edit", 1, "{a: '1'}")));

        var replaced = await Kubectl.SucceedAsync("replace", "-f", await Kubectl.WriteManifestAsync(Manifest("apply-edit", 2, "{a: '2'}")));
        var (exitCode, edited, error) = await Kubectl.RunAsync(
            new Dictionary<string, string> { ["KUBE_EDITOR"] = "sed -i s/replicas:\\ 2/replicas:\\ 5/" }, "edit", "deployment/web", "-n", "apply-edit");
        var replicas = await Kubectl.SucceedAsync("get", "deployment", "web", "-n", "apply-edit", "-o", "jsonpath={.spec.replicas}");

        Assert.Contains("deployment.apps/web replaced", replaced, StringComparison.Ordinal);
        Assert.True(exitCode == 0, error);
        Assert.Contains("deployment.apps/web edited", edited, StringComparison.Ordinal);
        Assert.Equal("5", replicas);
    }

    [Fact]
    public async Task Explain_PrintsTheFieldsOfAPath()
    {
        var output = await Kubectl.SucceedAsync("explain", "deployment.spec.strategy");

        Assert.Contains("GROUP:      apps", output, StringComparison.Ordinal);
        Assert.Contains("KIND:       Deployment", output, StringComparison.Ordinal);
        Assert.Contains("FIELD: strategy <DeploymentStrategy>", output, StringComparison.Ordinal);
        Assert.Matches(@"rollingUpdate\s+<RollingUpdateDeployment>", output);
        Assert.Matches(@"type\s+<string>", output);
    }

    private Task CreateNamespaceAsync(string name) => Kubectl.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}}}");

    [Fact]
    public async Task Explain_UnknownField_Fails()
    {
        var error = await Kubectl.FailAsync("explain", "pods.spec.nonsense");

        Assert.Contains("field \"nonsense\" does not exist", error, StringComparison.Ordinal);
    }
}
