namespace Berth.Tests.Kube;

/// <summary>Services get unique cluster IPs and node ports from the server, and give them back when they go.</summary>
public sealed class ServiceTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static string Service(string name, string type = "ClusterIP", string extra = "") => $$"""
        apiVersion: v1
        kind: Service
        metadata: {name: {{name}}, namespace: default}
        spec:
          type: {{type}}
          selector: {app: {{name}}}
          ports:
          - {name: http, port: 80, targetPort: 8080}{{extra}}
        """;

    [Fact]
    public async Task KubernetesService_IsAtTheFirstAddressOfTheRange()
    {
        var output = await Kubectl.SucceedAsync("get", "service", "kubernetes", "-n", "default");

        Assert.Matches(@"kubernetes\s+ClusterIP\s+10\.100\.0\.1\s+<none>\s+443/TCP\s+\d+[smh]", output);
    }

    [Fact]
    public async Task Services_GetDistinctAddressesAndNodePorts_ShownAsKubectlShowsThem()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Service("front") + "\n---\n" + Service("edge", "NodePort")));

        var table = await Kubectl.SucceedAsync("get", "services", "front", "edge", "-o", "wide");
        var front = await Kubectl.SucceedAsync("get", "service", "front", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].targetPort} {.spec.sessionAffinity}");
        var edge = await Kubectl.SucceedAsync("get", "service", "edge", "-o", "jsonpath={.spec.clusterIP}");

        Assert.Matches(@"front\s+ClusterIP\s+10\.100\.\d+\.\d+\s+<none>\s+80/TCP\s+\d+s\s+app=front", table);
        Assert.Matches(@"edge\s+NodePort\s+10\.100\.\d+\.\d+\s+<none>\s+80:3\d{4}/TCP\s+\d+s\s+app=edge", table);
        Assert.Matches(@"^10\.100\.\d+\.\d+ 8080 None$", front);
        Assert.NotEqual(front.Split(' ')[0], edge);
    }

    [Fact]
    public async Task ClusterIP_TakenIsRefused_ThenFreeOnceItsServiceIsGone()
    {
        await Kubectl.CreateAsync(Service("first", extra: "\n  clusterIP: 10.100.200.7"));

        var refused = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync(Service("second", extra: "\n  clusterIP: 10.100.200.7")));
        await Kubectl.SucceedAsync("delete", "service", "first");
        await Kubectl.CreateAsync(Service("third", extra: "\n  clusterIP: 10.100.200.7"));

        Assert.Contains("provided IP is already allocated", refused, StringComparison.Ordinal);
        Assert.Equal("10.100.200.7", await Kubectl.SucceedAsync("get", "service", "third", "-o", "jsonpath={.spec.clusterIP}"));
    }

    [Fact]
    public async Task Replace_WithoutTheClusterIP_KeepsIt_ButChangingItIsRefused()
    {
        await Kubectl.CreateAsync(Service("kept", "NodePort"));
        var before = await Kubectl.SucceedAsync("get", "service", "kept", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}");

        await Kubectl.SucceedAsync("replace", "-f", await Kubectl.WriteManifestAsync(Service("kept", "NodePort")));
        var after = await Kubectl.SucceedAsync("get", "service", "kept", "-o", "jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}");
        var changed = await Kubectl.FailAsync("patch", "service", "kept", "-p", """{"spec":{"clusterIP":"10.100.0.9","clusterIPs":["10.100.0.9"]}}""");

        Assert.Equal(before, after);
        Assert.Contains("may not change once set", changed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: 9lives}\nspec: {ports: [{port: 80}]}", "a DNS-1035 label")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: noports}\nspec: {selector: {a: b}}", "spec.ports: Required value")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: twoports}\nspec: {ports: [{port: 80}, {port: 81}]}", "spec.ports[0].name: Required value")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: outside}\nspec: {clusterIP: 192.168.1.1, ports: [{port: 80}]}", "is not in the valid range")]
    public async Task InvalidServices_AreRefusedNamingTheField(string manifest, string expected)
    {
        var error = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync(manifest));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
