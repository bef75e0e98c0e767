using System.Diagnostics;
using Berth.Agent.Runtime;

namespace Berth.Tests.Aws;

/// <summary>
/// The stock <c>podman</c> and <c>skopeo</c> as a registry user runs them: against the plain-HTTP registry on the AWS
/// port (<c>--tls-verify=false</c>), with the test's own login file and Berth's container settings.
/// </summary>
internal sealed class RegistryClient(string directory)
{
    private string AuthFile => Path.Combine(directory, "auth.json");

    private string ContainersConf => Path.Combine(directory, "containers.conf");

    public static async Task<RegistryClient> CreateAsync(string directory)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "containers.conf"), PodmanService.ContainersConf, TestContext.Current.CancellationToken);
        return new RegistryClient(directory);
    }

    /// <summary><c>aws ecr get-login-password | podman login --password-stdin</c>.</summary>
    public Task<(int ExitCode, string Output)> LoginAsync(Uri registry, string password) =>
        RunAsync("podman", password, "login", "--username", "AWS", "--password-stdin", "--tls-verify=false", "--authfile", AuthFile, registry.Authority);

    public Task<(int ExitCode, string Output)> PodmanAsync(params string[] arguments) => RunAsync("podman", null, arguments);

    /// <summary>Podman with the login file, for push and pull.</summary>
    public Task<(int ExitCode, string Output)> PodmanRegistryAsync(string verb, params string[] arguments) =>
        RunAsync("podman", null, [verb, "--tls-verify=false", "--authfile", AuthFile, .. arguments]);

    /// <summary>Skopeo with the login file; <paramref name="tlsFlags"/> are the verb's own (<c>--tls-verify</c>, or <c>--src-</c>/<c>--dest-</c>).</summary>
    public Task<(int ExitCode, string Output)> SkopeoAsync(string verb, string[] tlsFlags, params string[] arguments) =>
        RunAsync("skopeo", null, [verb, .. tlsFlags, "--authfile", AuthFile, .. arguments]);

    private async Task<(int ExitCode, string Output)> RunAsync(string tool, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["CONTAINERS_CONF"] = ContainersConf;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} could not be started; setup.sh installs it");
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
        }
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        return (process.ExitCode, (await output) + (await errors));
    }
}
