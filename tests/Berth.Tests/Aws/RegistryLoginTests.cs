using System.Net;
using System.Text.Json;

namespace Berth.Tests.Aws;

/// <summary>Logging in to the registry as ECR users do: <c>aws ecr get-login-password | podman login</c>.</summary>
public sealed class RegistryLoginTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PodmanLogsInWithTheLoginPassword_AndIsRefusedWithoutIt()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var (exitCode, password, errors) = await new AwsCli(address, _data.Path).RunAsync("ecr", "get-login-password");
        Assert.True(exitCode == 0, errors);

        var client = await RegistryClient.CreateAsync(_data.Path);
        var login = await client.LoginAsync(address, password.Trim());
        Assert.True(login.ExitCode == 0, login.Output);
        Assert.Contains("Login Succeeded", login.Output, StringComparison.Ordinal);

        var refused = await client.LoginAsync(address, password.Trim()[..^4] + "AAAA");
        Assert.NotEqual(0, refused.ExitCode);

        using var http = new HttpClient();
        using var anonymous = await http.GetAsync(new Uri(address, "/v2/"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic realm=\"Berth ECR\"", anonymous.Headers.WwwAuthenticate.First().ToString());
        Assert.Equal("registry/2.0", anonymous.Headers.GetValues("Docker-Distribution-API-Version").Single());
        var error = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors")[0];
        Assert.Equal("UNAUTHORIZED", error.GetProperty("code").GetString());
    }
}
