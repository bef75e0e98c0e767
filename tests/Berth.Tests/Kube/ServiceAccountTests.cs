using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Tests.Kube;

/// <summary>Service accounts: every namespace has a default one; their tokens authenticate requests, until the account goes.</summary>
public sealed class ServiceAccountTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<string> RequestTokenAsync(string ns, string account)
    {
        using var admin = fixture.CreateAdminClient();
        var response = await admin.PostAsync($"api/v1/namespaces/{ns}/serviceaccounts/{account}/token",
            new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}""", Encoding.UTF8, "application/json"), Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return body["status"]!["token"]!.GetValue<string>();
    }

    private async Task<HttpResponseMessage> GetWithTokenAsync(string path, string? token)
    {
        using var anonymous = fixture.CreateAnonymousClient();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await anonymous.SendAsync(request, Ct);
    }

    [Fact]
    public async Task NewNamespace_GetsADefaultServiceAccount()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: sa-default}");

        await Kubectl.SucceedAsync("wait", "--for=create", "serviceaccount/default", "-n", "sa-default", "--timeout=20s");
        var table = await Kubectl.SucceedAsync("get", "serviceaccounts", "-n", "sa-default");

        Assert.Matches(@"default\s+0\s+\d+s", table);
    }

    [Fact]
    public async Task Token_AuthenticatesAsTheAccount_WhichRbacThenDecidesFor()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: sa-token}");
        await Kubectl.CreateAsync("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: robot, namespace: sa-token}");
        var token = await RequestTokenAsync("sa-token", "robot");

        var before = await GetWithTokenAsync("api/v1/namespaces/sa-token/configmaps", token);
        await Kubectl.CreateAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: robot-views, namespace: sa-token}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects: [{kind: ServiceAccount, name: robot, namespace: sa-token}]
            """);
        var after = await GetWithTokenAsync("api/v1/namespaces/sa-token/configmaps", token);

        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        Assert.Contains("User \"system:serviceaccount:sa-token:robot\" cannot list",
            JsonNode.Parse(await before.Content.ReadAsStringAsync(Ct))!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Token_OfADeletedAccount_OrForged_OrMissing_IsUnauthorized()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: sa-gone}");
        await Kubectl.CreateAsync("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: temp, namespace: sa-gone}");
        var token = await RequestTokenAsync("sa-gone", "temp");
        await Kubectl.SucceedAsync("delete", "serviceaccount", "temp", "-n", "sa-gone");

        var revoked = await GetWithTokenAsync("api", token);
        var forged = await GetWithTokenAsync("api", token[..^4] + "AAAA");
        var missing = await GetWithTokenAsync("api", null);

        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
    }
}
