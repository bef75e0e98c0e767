using System.Text.Json;

namespace Berth.Tests.Aws;

/// <summary>ECR repositories through the stock AWS CLI.</summary>
public sealed class EcrRepositoryTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Repositories_AreCreatedDescribedPagedAndDeleted_WithEcrsErrors()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var aws = new AwsCli(address, _data.Path);

        var (exitCode, output, errors) = await aws.RunAsync("ecr", "create-repository", "--repository-name", "team/web",
            "--image-tag-mutability", "IMMUTABLE", "--image-scanning-configuration", "scanOnPush=true", "--tags", "Key=env,Value=dev");
        Assert.True(exitCode == 0, errors);
        var created = JsonDocument.Parse(output).RootElement.GetProperty("repository");
        var account = created.GetProperty("registryId").GetString()!;
        Assert.Matches("^[0-9]{12}$", account);
        Assert.Equal($"arn:aws:ecr:us-east-1:{account}:repository/team/web", created.GetProperty("repositoryArn").GetString());
        Assert.Equal($"{address.Authority}/team/web", created.GetProperty("repositoryUri").GetString());
        Assert.Equal("IMMUTABLE", created.GetProperty("imageTagMutability").GetString());
        Assert.True(created.GetProperty("imageScanningConfiguration").GetProperty("scanOnPush").GetBoolean());
        Assert.Equal("AES256", created.GetProperty("encryptionConfiguration").GetProperty("encryptionType").GetString());

        var again = await aws.RunAsync("ecr", "create-repository", "--repository-name", "team/web");
        Assert.Contains("(RepositoryAlreadyExistsException)", again.Errors, StringComparison.Ordinal);
        Assert.Contains($"The repository with name 'team/web' already exists in the registry with id '{account}'", again.Errors, StringComparison.Ordinal);
        var badName = await aws.RunAsync("ecr", "create-repository", "--repository-name", "Team/Web");
        Assert.Contains("(InvalidParameterException)", badName.Errors, StringComparison.Ordinal);
        Assert.Contains("'repositoryName' failed to satisfy constraint", badName.Errors, StringComparison.Ordinal);

        foreach (var name in new[] { "api", "worker" })
        {
            Assert.Equal(0, (await aws.RunAsync("ecr", "create-repository", "--repository-name", name)).ExitCode);
        }
        // the CLI follows nextToken page by page
        (exitCode, output, errors) = await aws.RunAsync("ecr", "describe-repositories", "--page-size", "1");
        Assert.True(exitCode == 0, errors);
        var names = JsonDocument.Parse(output).RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetProperty("repositoryName").GetString()).ToList();
        Assert.Equal(["api", "team/web", "worker"], names);

        (exitCode, output, errors) = await aws.RunAsync("ecr", "delete-repository", "--repository-name", "api");
        Assert.True(exitCode == 0, errors);
        Assert.Equal("api", JsonDocument.Parse(output).RootElement.GetProperty("repository").GetProperty("repositoryName").GetString());
        var gone = await aws.RunAsync("ecr", "describe-repositories", "--repository-names", "api");
        Assert.Contains("(RepositoryNotFoundException)", gone.Errors, StringComparison.Ordinal);
        Assert.Contains($"The repository with name 'api' does not exist in the registry with id '{account}'", gone.Errors, StringComparison.Ordinal);

        var unsupported = await aws.RunAsync("ecr", "describe-registry");
        Assert.Contains("(UnknownOperationException)", unsupported.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAuthorizationToken_GivesAnAwsBasicCredentialForTheEndpoint_AndGetLoginPasswordItsPassword()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var aws = new AwsCli(address, _data.Path);

        var (exitCode, output, errors) = await aws.RunAsync("ecr", "get-authorization-token");
        Assert.True(exitCode == 0, errors);
        var data = JsonDocument.Parse(output).RootElement.GetProperty("authorizationData")[0];
        Assert.Equal($"http://{address.Authority}", data.GetProperty("proxyEndpoint").GetString());
        var credential = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data.GetProperty("authorizationToken").GetString()!));
        Assert.StartsWith("AWS:", credential, StringComparison.Ordinal);
        Assert.Contains('.', credential[4..]);

        (exitCode, output, errors) = await aws.RunAsync("ecr", "get-login-password");
        Assert.True(exitCode == 0, errors);
        var password = output.Trim();
        Assert.Contains('.', password);
        Assert.DoesNotContain(':', password);
    }
}
