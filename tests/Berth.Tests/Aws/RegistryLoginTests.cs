using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Berth.Tests.Aws;

/// <summary>Logging in to the registry as ECR users do: <c>aws ecr get-login-password | podman login</c>.</summary>
public sealed class RegistryLoginTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(int ExitCode, string Output)> PodmanLoginAsync(Uri registry, string password)
    {
        var start = new ProcessStartInfo("podman") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "login", "--username", "AWS", "--password-stdin", "--tls-verify=false", "--authfile", _data.File("auth.json"), registry.Authority })
        {
            start.ArgumentList.Add(argument);
        }
        using var podman = Process.Start(start)!;
        await podman.StandardInput.WriteLineAsync(password);
        podman.StandardInput.Close();
        var output = podman.StandardOutput.ReadToEndAsync(Ct);
        var errors = podman.StandardError.ReadToEndAsync(Ct);
        await podman.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct);
        return (podman.ExitCode, await output + await errors);
    }

    [Fact]
    public async Task PodmanLogsInWithTheLoginPassword_AndIsRefusedWithoutIt()
    {
        var (server, address) = await BerthProcess.StartServerAsync(_data.Path);
        await using var _ = server;
        var (exitCode, password, errors) = await new AwsCli(address, _data.Path).RunAsync("ecr", "get-login-password");
        Assert.True(exitCode == 0, errors);

        var login = await PodmanLoginAsync(address, password.Trim());
        Assert.True(login.ExitCode == 0, login.Output);
        Assert.Contains("Login Succeeded", login.Output, StringComparison.Ordinal);

        var refused = await PodmanLoginAsync(address, password.Trim()[..^4] + "AAAA");
        Assert.NotEqual(0, refused.ExitCode);

        using var http = new HttpClient();
        using var anonymous = await http.GetAsync(new Uri(address, "/v2/"), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic realm=\"Berth ECR\"", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal("registry/2.0", anonymous.Headers.GetValues("Docker-Distribution-API-Version").Single());
        var error = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors")[0];
        Assert.Equal("UNAUTHORIZED", error.GetProperty("code").GetString());
    }
}
