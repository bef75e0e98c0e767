using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Berth.Tests.Kube;

namespace Berth.Tests.Cli;

/// <summary>
/// <c>berth</c>'s cluster commands run as a user runs them, with a home of the test's own: the AWS CLI's files and the
/// kubeconfig in a folder of the test's, and no AWS variables of the machine's, so credentials come from the server's
/// data folder (or the ones a test gives).
/// </summary>
internal sealed class ClusterCli(string dataDirectory, string home)
{
    public string Kubeconfig => Path.Combine(home, "kubeconfig");

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal)
    {
        ["BERTH_DATA_DIR"] = dataDirectory,
        ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "aws-credentials"),
        ["AWS_CONFIG_FILE"] = Path.Combine(home, "aws-config"),
        ["KUBECONFIG"] = Path.Combine(home, "kubeconfig"),
        ["AWS_PAGER"] = "",
    };

    /// <summary>kubectl on the kubeconfig the commands write; its exec user finds the credentials the entry names.</summary>
    public Kubectl Kubectl() => new(Kubeconfig, Path.Combine(home, "kube-cache"), Path.Combine(home, "manifests")) { Environment = Environment };

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Starts a command and leaves it running, its output redirected, for a test that signals it.</summary>
    public Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "berth.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
            "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL" })
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }

    /// <summary>Runs a command that must succeed; returns its output and its log.</summary>
    public async Task<string> SucceedAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await RunAsync(arguments);
        Assert.True(exitCode == 0, $"berth {string.Join(' ', arguments)} exited {exitCode}:\n{output}\n{error}");
        return output + error;
    }

    /// <summary>Runs a command that must fail with exit code 1 and one line saying why; returns that line.</summary>
    public async Task<string> FailAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await RunAsync(arguments);
        Assert.True(exitCode == 1, $"berth {string.Join(' ', arguments)} exited {exitCode}:\n{output}\n{error}");
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("Error: ", StringComparison.Ordinal));
        return line;
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
