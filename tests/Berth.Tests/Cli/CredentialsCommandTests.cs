using System.Text.Json;
using Berth.Tests.Aws;

namespace Berth.Tests.Cli;

/// <summary><c>berth credentials</c> and <c>--account-id</c>, with the stock AWS CLI using what they give.</summary>
public sealed class CredentialsCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static async Task<(int ExitCode, string Output)> BerthAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        await using var process = BerthProcess.Start(arguments, environment);
        var exitCode = await process.WaitForExitAsync();
        return (exitCode, process.Output);
    }

    [Fact]
    public async Task Credentials_PrintsExportsAndWritesAProfile_ForTheAccountChosenAtTheFirstStart()
    {
        var server = Path.Combine(_data.Path, "server");
        var (process, address) = await BerthProcess.StartServerAsync(server, "--account-id", "123456789012");
        await using (process)
        {
            var (exitCode, text) = await BerthAsync(null, "credentials", "--data-dir", server);
            Assert.True(exitCode == 0, text);
            Assert.Contains("Account            123456789012", text, StringComparison.Ordinal);
            Assert.Contains($"Endpoint           {address.GetLeftPart(UriPartial.Authority)}", text, StringComparison.Ordinal);

            var (_, env) = await BerthAsync(null, "credentials", "--data-dir", server, "--format", "env");
            var exports = env.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.StartsWith("export ", StringComparison.Ordinal))
                .Select(l => l["export ".Length..].Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            Assert.Equal(address.GetLeftPart(UriPartial.Authority), exports["AWS_ENDPOINT_URL"]);
            var aws = new AwsCli(address, server) { Credentials = (exports["AWS_ACCESS_KEY_ID"], exports["AWS_SECRET_ACCESS_KEY"]) };
            var identity = await aws.RunAsync("sts", "get-caller-identity");
            Assert.True(identity.ExitCode == 0, identity.Errors);
            Assert.Equal("123456789012", JsonDocument.Parse(identity.Output).RootElement.GetProperty("Account").GetString());

            // the user's own profiles stay as they were; writing twice leaves one berth profile
            var credentialsFile = _data.File("credentials");
            var configFile = _data.File("config");
            const string Theirs = "[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other # keep\n";
            await File.WriteAllTextAsync(credentialsFile, Theirs, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(configFile, "[profile other]\nregion = eu-west-1\n", TestContext.Current.CancellationToken);
            var files = new Dictionary<string, string> { ["AWS_SHARED_CREDENTIALS_FILE"] = credentialsFile, ["AWS_CONFIG_FILE"] = configFile };
            for (var i = 0; i < 2; i++)
            {
                var written = await BerthAsync(files, "credentials", "--data-dir", server, "--write-profile");
                Assert.True(written.ExitCode == 0, written.Output);
            }
            var credentials = await File.ReadAllTextAsync(credentialsFile, TestContext.Current.CancellationToken);
            Assert.StartsWith(Theirs, credentials, StringComparison.Ordinal);
            Assert.Single(credentials.Split('\n'), l => l == "[berth]");
            Assert.Contains($"aws_access_key_id = {exports["AWS_ACCESS_KEY_ID"]}", credentials, StringComparison.Ordinal);
            var config = await File.ReadAllTextAsync(configFile, TestContext.Current.CancellationToken);
            Assert.StartsWith("[profile other]\nregion = eu-west-1\n", config, StringComparison.Ordinal);
            Assert.Contains("[profile berth]\nregion = us-east-1\n", config, StringComparison.Ordinal);
        }

        // the account was fixed at the first start
        var refused = await BerthAsync(null, "server", "--data-dir", server, "--port", "0", "--kube-port", "0", "--account-id", "999999999999");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("this data folder's account is 123456789012", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_BeforeTheServerEverStarted_SaysSo()
    {
        var (exitCode, output) = await BerthAsync(null, "credentials", "--data-dir", _data.File("empty"));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("start the server", output, StringComparison.Ordinal);
    }
}
