using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Berth.Tests.Aws;

/// <summary>IAM users, access keys and policies with the stock AWS CLI, and their policies deciding what the users may do.</summary>
public sealed class IamTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AUsersPoliciesDecideWhatItMayDo_InTheApisAndTheRegistry()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var root = new AwsCli(address, _data.Path);
        await root.SucceedAsync("ecr", "create-repository", "--repository-name", "app");

        var user = (await root.SucceedAsync("iam", "create-user", "--user-name", "ci", "--tags", "Key=team,Value=build")).GetProperty("User");
        Assert.Equal("arn:aws:iam::000000000000:user/ci", user.GetProperty("Arn").GetString());
        Assert.StartsWith("AIDA", user.GetProperty("UserId").GetString(), StringComparison.Ordinal);
        await root.FailAsync("EntityAlreadyExists", "iam", "create-user", "--user-name", "ci");
        var key = (await root.SucceedAsync("iam", "create-access-key", "--user-name", "ci")).GetProperty("AccessKey");
        var ci = new AwsCli(address, _data.Path) { Credentials = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!) };
        Assert.Equal("arn:aws:iam::000000000000:user/ci", (await ci.SucceedAsync("sts", "get-caller-identity")).GetProperty("Arn").GetString());

        // no policy: nothing is allowed
        var denied = await ci.FailAsync("AccessDeniedException", "ecr", "describe-repositories");
        Assert.Contains("User: arn:aws:iam::000000000000:user/ci is not authorized to perform: ecr:DescribeRepositories on resource: *", denied, StringComparison.Ordinal);
        await ci.FailAsync("AccessDenied", "iam", "list-users");

        // ECR read-only: reads and pulls, no writes or pushes
        await root.SucceedAsync("iam", "attach-user-policy", "--user-name", "ci", "--policy-arn", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly");
        Assert.Equal("app", (await ci.SucceedAsync("ecr", "describe-repositories")).GetProperty("repositories")[0].GetProperty("repositoryName").GetString());
        await ci.FailAsync("AccessDeniedException", "ecr", "create-repository", "--repository-name", "other");
        var (_, password, _) = await ci.RunAsync("ecr", "get-login-password");
        using var registry = new HttpClient { BaseAddress = address };
        registry.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password.Trim())));
        using (var tags = await registry.GetAsync("/v2/app/tags/list", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
        }
        using (var push = await registry.PostAsync("/v2/app/blobs/uploads/", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
            Assert.Contains("ecr:PutImage", await push.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // an inline Deny wins over the managed policy's Allow
        var deny = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr:Describe*","Resource":"*"}]}""";
        await root.SucceedAsync("iam", "put-user-policy", "--user-name", "ci", "--policy-name", "no-describe", "--policy-document", deny);
        Assert.Contains("with an explicit deny in an identity-based policy", await ci.FailAsync("AccessDeniedException", "ecr", "describe-repositories"), StringComparison.Ordinal);
        var stored = (await root.SucceedAsync("iam", "get-user-policy", "--user-name", "ci", "--policy-name", "no-describe")).GetProperty("PolicyDocument");
        Assert.Equal("ecr:Describe*", stored.GetProperty("Statement")[0].GetProperty("Action").GetString());
        Assert.Equal(["no-describe"], (await root.SucceedAsync("iam", "list-user-policies", "--user-name", "ci")).GetProperty("PolicyNames").EnumerateArray().Select(n => n.GetString()));

        // customer managed policies
        await root.FailAsync("MalformedPolicyDocument", "iam", "create-policy", "--policy-name", "bad", "--policy-document", """{"Statement":[{"Effect":"Perhaps"}]}""");
        var policy = (await root.SucceedAsync("iam", "create-policy", "--policy-name", "push", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:PutImage","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload"],"Resource":"arn:aws:ecr:*:*:repository/app"}]}"""))
            .GetProperty("Policy").GetProperty("Arn").GetString()!;
        Assert.Equal("arn:aws:iam::000000000000:policy/push", policy);
        await root.SucceedAsync("iam", "attach-user-policy", "--user-name", "ci", "--policy-arn", policy);
        using (var push = await registry.PostAsync("/v2/app/blobs/uploads/", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, push.StatusCode);
        }
        Assert.Equal(2, (await root.SucceedAsync("iam", "list-attached-user-policies", "--user-name", "ci")).GetProperty("AttachedPolicies").GetArrayLength());
        Assert.Contains((await root.SucceedAsync("iam", "list-policies", "--scope", "AWS")).GetProperty("Policies").EnumerateArray(),
            p => p.GetProperty("PolicyName").GetString() == "AdministratorAccess");
        await root.FailAsync("DeleteConflict", "iam", "delete-policy", "--policy-arn", policy);

        // deleting the user needs its keys and policies gone first
        await root.FailAsync("DeleteConflict", "iam", "delete-user", "--user-name", "ci");
        await root.SucceedAsync("iam", "delete-access-key", "--user-name", "ci", "--access-key-id", key.GetProperty("AccessKeyId").GetString()!);
        await ci.FailAsync("InvalidClientTokenId", "sts", "get-caller-identity");
        await root.SucceedAsync("iam", "detach-user-policy", "--user-name", "ci", "--policy-arn", policy);
        await root.SucceedAsync("iam", "detach-user-policy", "--user-name", "ci", "--policy-arn", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly");
        await root.SucceedAsync("iam", "delete-user-policy", "--user-name", "ci", "--policy-name", "no-describe");
        await root.SucceedAsync("iam", "delete-policy", "--policy-arn", policy);
        await root.SucceedAsync("iam", "delete-user", "--user-name", "ci");
        await root.FailAsync("NoSuchEntity", "iam", "get-user", "--user-name", "ci");
        Assert.Empty((await root.SucceedAsync("iam", "list-users")).GetProperty("Users").EnumerateArray());
    }

    [Fact]
    public async Task ARolesSessions_ActWithTheRolesPolicies_ForWhomItsTrustPolicyAllows()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var root = new AwsCli(address, _data.Path);
        const string TrustAccount = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}""";
        var role = (await root.SucceedAsync("iam", "create-role", "--role-name", "deployer", "--assume-role-policy-document", TrustAccount)).GetProperty("Role");
        Assert.Equal("arn:aws:iam::000000000000:role/deployer", role.GetProperty("Arn").GetString());
        Assert.Equal("sts:AssumeRole", role.GetProperty("AssumeRolePolicyDocument").GetProperty("Statement")[0].GetProperty("Action").GetString());
        await root.FailAsync("MalformedPolicyDocument", "iam", "create-role", "--role-name", "bad", "--assume-role-policy-document",
            """{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}""");
        await root.SucceedAsync("iam", "attach-role-policy", "--role-name", "deployer", "--policy-arn", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly");

        var credentials = (await root.SucceedAsync("sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/deployer", "--role-session-name", "release-1"))
            .GetProperty("Credentials");
        Assert.StartsWith("ASIA", credentials.GetProperty("AccessKeyId").GetString(), StringComparison.Ordinal);
        var pair = (credentials.GetProperty("AccessKeyId").GetString()!, credentials.GetProperty("SecretAccessKey").GetString()!);
        var session = new AwsCli(address, _data.Path) { Credentials = pair, SessionToken = credentials.GetProperty("SessionToken").GetString() };
        var identity = await session.SucceedAsync("sts", "get-caller-identity");
        Assert.Equal("arn:aws:sts::000000000000:assumed-role/deployer/release-1", identity.GetProperty("Arn").GetString());
        Assert.EndsWith(":release-1", identity.GetProperty("UserId").GetString(), StringComparison.Ordinal);
        await session.SucceedAsync("ecr", "describe-repositories");
        Assert.Contains("assumed-role/deployer/release-1 is not authorized to perform: ecr:CreateRepository",
            await session.FailAsync("AccessDeniedException", "ecr", "create-repository", "--repository-name", "other"), StringComparison.Ordinal);
        // the key alone, without its session token, is not a credential
        await new AwsCli(address, _data.Path) { Credentials = pair }.FailAsync("UnrecognizedClientException", "ecr", "describe-repositories");
        await root.FailAsync("ValidationError", "sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/deployer", "--role-session-name", "long", "--duration-seconds", "7200");

        // a user needs both its own permission and the role's trust
        await root.SucceedAsync("iam", "create-user", "--user-name", "ci");
        var key = (await root.SucceedAsync("iam", "create-access-key", "--user-name", "ci")).GetProperty("AccessKey");
        var ci = new AwsCli(address, _data.Path) { Credentials = (key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!) };
        string[] assume = ["sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/deployer", "--role-session-name", "ci"];
        await ci.FailAsync("AccessDenied", assume);
        await root.SucceedAsync("iam", "put-user-policy", "--user-name", "ci", "--policy-name", "assume", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::000000000000:role/deployer"}]}""");
        await ci.SucceedAsync(assume);
        await root.SucceedAsync("iam", "update-assume-role-policy", "--role-name", "deployer", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/ci"},"Action":"sts:AssumeRole"}]}""");
        await ci.SucceedAsync(assume);
        await root.FailAsync("AccessDenied", assume);

        await root.FailAsync("DeleteConflict", "iam", "delete-role", "--role-name", "deployer");
        await root.SucceedAsync("iam", "detach-role-policy", "--role-name", "deployer", "--policy-arn", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly");
        await root.SucceedAsync("iam", "delete-role", "--role-name", "deployer");
        Assert.Empty((await root.SucceedAsync("iam", "list-roles")).GetProperty("Roles").EnumerateArray());
        // the role is gone, and with it what its sessions could do
        await session.FailAsync("AccessDeniedException", "ecr", "describe-repositories");
    }
}
