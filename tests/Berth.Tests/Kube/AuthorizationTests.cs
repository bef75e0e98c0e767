using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Tests.Kube;

/// <summary>RBAC: what users may do is what their bindings grant; the built-in roles grant what Kubernetes' do.</summary>
public sealed class AuthorizationTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UserWithoutBindings_IsForbidden_WithKubernetesMessage()
    {
        var error = await Kubectl.FailAsync("get", "configmaps", "-n", "default", "--as=nobody");

        Assert.Contains("""configmaps is forbidden: User "nobody" cannot list resource "configmaps" in API group "" in the namespace "default" """.TrimEnd(),
            error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ViewRole_ReadsButDoesNotWriteOrSeeSecrets()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: rbac-view}");
        await Kubectl.CreateAsync("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, namespace: rbac-view}");
        await Kubectl.CreateAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: jane-views, namespace: rbac-view}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects: [{kind: User, name: jane}]
            """);

        var read = await Kubectl.SucceedAsync("get", "configmap", "shared", "-n", "rbac-view", "--as=jane", "-o", "name");
        var write = await Kubectl.FailAsync("delete", "configmap", "shared", "-n", "rbac-view", "--as=jane");
        var secrets = await Kubectl.FailAsync("get", "secrets", "-n", "rbac-view", "--as=jane");
        var elsewhere = await Kubectl.FailAsync("get", "configmaps", "-n", "default", "--as=jane");
        var bindings = await Kubectl.SucceedAsync("get", "rolebinding", "jane-views", "-n", "rbac-view", "-o", "wide");

        Assert.Equal("configmap/shared", read.Trim());
        Assert.Contains("cannot delete resource \"configmaps\"", write, StringComparison.Ordinal);
        Assert.Contains("cannot list resource \"secrets\"", secrets, StringComparison.Ordinal);
        Assert.Contains("in the namespace \"default\"", elsewhere, StringComparison.Ordinal);
        Assert.Matches(@"jane-views\s+ClusterRole/view\s+\d+s\s+jane", bindings);
    }

    [Fact]
    public async Task GroupBinding_GrantsItsMembers()
    {
        await Kubectl.CreateAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: ops-edit}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
            subjects: [{kind: Group, name: ops}]
            """);

        await Kubectl.SucceedAsync("create", "-f", await Kubectl.WriteManifestAsync("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: by-ops, namespace: default}"),
            "--as=bob", "--as-group=ops");
        var alone = await Kubectl.FailAsync("get", "configmap", "by-ops", "--as=bob");

        Assert.Contains("configmaps \"by-ops\" is forbidden: User \"bob\" cannot get resource \"configmaps\"", alone, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SelfSubjectAccessReview_AnswersForTheAskingUser()
    {
        using var http = fixture.CreateAdminClient();
        var review = """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":"delete","resource":"nodes"}}}""";
        var asAdmin = await http.PostAsync("apis/authorization.k8s.io/v1/selfsubjectaccessreviews", new StringContent(review, Encoding.UTF8, "application/json"), Ct);
        var request = new HttpRequestMessage(HttpMethod.Post, "apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
        {
            Content = new StringContent(review, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Impersonate-User", "nobody");
        var asNobody = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Created, asAdmin.StatusCode);
        Assert.True(JsonNode.Parse(await asAdmin.Content.ReadAsStringAsync(Ct))!["status"]!["allowed"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Created, asNobody.StatusCode);
        Assert.False(JsonNode.Parse(await asNobody.Content.ReadAsStringAsync(Ct))!["status"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SubjectAccessReview_AnswersForTheNamedUser_ImpersonationIncluded()
    {
        using var http = fixture.CreateAdminClient();
        var review = """
            {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
             "spec":{"user":"jane","groups":["system:authenticated"],"resourceAttributes":{"verb":"impersonate","resource":"users","name":"admin"}}}
            """;

        var response = await http.PostAsync("apis/authorization.k8s.io/v1/subjectaccessreviews", new StringContent(review, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["status"]!["allowed"]!.GetValue<bool>());
    }
}
