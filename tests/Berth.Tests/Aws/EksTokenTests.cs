using Berth.Tests.Kube;

namespace Berth.Tests.Aws;

/// <summary>
/// The Kubernetes API takes the tokens of <c>aws eks get-token</c>, as EKS does: the account's root user is the
/// cluster's administrator, others are whom the <c>aws-auth</c> ConfigMap maps them to, and a token for another
/// cluster, a tampered one or one of an unmapped user is refused.
/// </summary>
public sealed class EksTokenTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    /// <summary>kubectl with only a bearer token, from a kubeconfig that trusts the install's CA.</summary>
    private Kubectl WithToken(BerthProcess server, string name, string token)
    {
        var caData = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(_data.Path, "server", "pki", "ca.crt")));
        var path = _data.File($"{name}.kubeconfig");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: default
              cluster: {server: "{{new Uri(server.KubeAddress, "/clusters/default")}}", certificate-authority-data: {{caData}}}
            users:
            - name: {{name}}
              user: {token: "{{token}}"}
            contexts:
            - name: default
              context: {cluster: default, user: {{name}}}
            current-context: default
            """);
        return new Kubectl(path, _data.File($"{name}-cache"), _data.File("manifests"));
    }

    private static async Task<string> TokenAsync(AwsCli aws, string cluster) =>
        (await aws.SucceedAsync("eks", "get-token", "--cluster-name", cluster)).GetProperty("status").GetProperty("token").GetString()!;

    [Fact]
    public async Task EksTokens_AuthenticateToTheClusterTheyName_AsAwsAuthMapsThem()
    {
        var (server, address) = await BerthProcess.StartServerAsync(Path.Combine(_data.Path, "server"));
        await using var _ = server;
        var root = new AwsCli(address, Path.Combine(_data.Path, "server"));
        var token = await TokenAsync(root, "default");
        Assert.StartsWith("k8s-aws-v1.", token, StringComparison.Ordinal);

        var admin = WithToken(server, "root", token);
        Assert.Contains("kube-system", await admin.SucceedAsync("get", "namespaces"), StringComparison.Ordinal);
        Assert.Contains("yes", await admin.SucceedAsync("auth", "can-i", "create", "clusterroles"), StringComparison.Ordinal);

        foreach (var (name, refused) in new[] { ("other-cluster", await TokenAsync(root, "other")), ("tampered", token[..^3] + (token[^3] == 'A' ? "BBB" : "AAA")) })
        {
            Assert.Contains("You must be logged in to the server", await WithToken(server, name, refused).FailAsync("get", "namespaces"), StringComparison.Ordinal);
        }

        // an IAM user is no one in the cluster until aws-auth maps it
        await root.SucceedAsync("iam", "create-user", "--user-name", "ci");
        var key = (await root.SucceedAsync("iam", "create-access-key", "--user-name", "ci")).GetProperty("AccessKey");
        var ci = new AwsCli(address, Path.Combine(_data.Path, "server")) { Credentials = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!) };
        var user = WithToken(server, "ci", await TokenAsync(ci, "default"));
        Assert.Contains("You must be logged in to the server", await user.FailAsync("get", "pods"), StringComparison.Ordinal);

        await admin.CreateAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: aws-auth, namespace: kube-system}
            data:
              mapUsers: |
                - userarn: arn:aws:iam::000000000000:user/ci
                  username: ci-{{AccountID}}
                  groups: [ci-viewers]
              mapRoles: |
                - rolearn: arn:aws:iam::000000000000:role/deployer
                  username: deploy:{{SessionName}}
                  groups: [ci-viewers]
            """);
        await admin.SucceedAsync("create", "clusterrolebinding", "ci-view", "--clusterrole=view", "--group=ci-viewers");
        await user.SucceedAsync("get", "pods");
        Assert.Contains("User \"ci-000000000000\" cannot create resource \"configmaps\"",
            await user.FailAsync("create", "configmap", "not-allowed"), StringComparison.Ordinal);

        // a role's sessions map by the role's ARN, named by their session
        await root.SucceedAsync("iam", "create-role", "--role-name", "deployer", "--assume-role-policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}""");
        var credentials = (await root.SucceedAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/deployer", "--role-session-name", "release"))
            .GetProperty("Credentials");
        var session = new AwsCli(address, Path.Combine(_data.Path, "server"))
        {
            Credentials = (credentials.GetProperty("AccessKeyId").GetString()!, credentials.GetProperty("SecretAccessKey").GetString()!),
            SessionToken = credentials.GetProperty("SessionToken").GetString(),
        };
        var deployer = WithToken(server, "deployer", await TokenAsync(session, "default"));
        await deployer.SucceedAsync("get", "pods");
        Assert.Contains("User \"deploy:release\" cannot create resource \"configmaps\"",
            await deployer.FailAsync("create", "configmap", "not-allowed"), StringComparison.Ordinal);
    }
}
