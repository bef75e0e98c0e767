using System.Text;
using System.Text.Json;

namespace Berth.Tests.Aws;

/// <summary>The AWS endpoint's signatures and credentials, driven by the stock AWS CLI.</summary>
public sealed class StsTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private (string AccessKeyId, string Secret, string Account) WrittenCredentials()
    {
        var lines = File.ReadAllLines(_data.File("aws-credentials"));
        string Value(string name) => lines.Single(l => l.StartsWith(name + " = ", StringComparison.Ordinal))[(name.Length + 3)..];
        return (Value("aws_access_key_id"), Value("aws_secret_access_key"), Value("aws_account_id"));
    }

    [Fact]
    public async Task GetCallerIdentity_AnswersTheRootOfTheAccountMadeAtFirstStart_AndTheKeySurvivesARestart()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        var (accessKeyId, secret, account) = WrittenCredentials();
        Assert.Matches("^AKIA[A-Z2-7]{16}$", accessKeyId);
        Assert.Equal("000000000000", account); // the default account, as LocalStack's

        var (exitCode, output, errors) = await new AwsCli(address, _data.Path).RunAsync("sts", "get-caller-identity");
        Assert.True(exitCode == 0, errors);
        var identity = JsonDocument.Parse(output).RootElement;
        Assert.Equal(account, identity.GetProperty("Account").GetString());
        Assert.Equal($"arn:aws:iam::{account}:root", identity.GetProperty("Arn").GetString());

        // the secret is sealed in the store, not written in the clear
        await server.KillAsync();
        await server.DisposeAsync();
        foreach (var file in Directory.GetFiles(_data.Path, "berth.db*"))
        {
            Assert.DoesNotContain(secret, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)), StringComparison.Ordinal);
        }

        var (restarted, newAddress) = await BerthProcess.StartServerAsync(_data.Path);
        await using var running = restarted;
        Assert.Equal((accessKeyId, secret, account), WrittenCredentials());
        (exitCode, _, errors) = await new AwsCli(newAddress, _data.Path) { Credentials = (accessKeyId, secret) }.RunAsync("sts", "get-caller-identity");
        Assert.True(exitCode == 0, errors);
    }

    [Fact]
    public async Task WrongSecretsUnknownKeysAndUnservedServicesGetAwsErrors()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var (accessKeyId, _, _) = WrittenCredentials();

        var wrongSecret = await new AwsCli(address, _data.Path) { Credentials = (accessKeyId, "not-the-secret") }.RunAsync("sts", "get-caller-identity");
        Assert.NotEqual(0, wrongSecret.ExitCode);
        Assert.Contains("(SignatureDoesNotMatch)", wrongSecret.Errors, StringComparison.Ordinal);
        Assert.Contains("The request signature we calculated does not match the signature you provided", wrongSecret.Errors, StringComparison.Ordinal);

        var unknownKey = await new AwsCli(address, _data.Path) { Credentials = ("AKIAUNKNOWNUNKNOWN00", "whatever") }.RunAsync("sts", "get-caller-identity");
        Assert.NotEqual(0, unknownKey.ExitCode);
        Assert.Contains("(InvalidClientTokenId)", unknownKey.Errors, StringComparison.Ordinal);
        Assert.Contains("The security token included in the request is invalid", unknownKey.Errors, StringComparison.Ordinal);

        var unserved = await new AwsCli(address, _data.Path).RunAsync("cloudtrail", "describe-trails");
        Assert.NotEqual(0, unserved.ExitCode);
        Assert.Contains("(UnknownService)", unserved.Errors, StringComparison.Ordinal);
        Assert.Contains("Berth serves no AWS service named 'cloudtrail'", unserved.Errors, StringComparison.Ordinal);
    }
}
