using System.Diagnostics;

namespace Berth.Tests.Kube;

/// <summary>The stock <c>kubectl</c>, pointed at a server's kubeconfig.</summary>
internal sealed class Kubectl(string kubeconfig, string cacheDirectory, string manifestDirectory)
{
    /// <summary>Environment every run gets, such as the AWS credentials an <c>aws eks get-token</c> exec user reads.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        RunAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs kubectl with extra environment variables, such as <c>KUBE_EDITOR</c>.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunAsync(environment, "", arguments);

    /// <summary>Runs kubectl with <paramref name="input"/> on its standard input.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunWithInputAsync(string input, params string[] arguments) =>
        RunAsync(new Dictionary<string, string>(), input, arguments);

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, string input, string[] arguments)
    {
        var start = StartInfo(arguments);
        start.RedirectStandardInput = true;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("kubectl could not be started; setup.sh checks that it is installed");
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Starts a long-running kubectl (a watch, say) whose output lines a test can wait for.</summary>
    public RunningKubectl Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    /// <summary>Starts a long-running kubectl with extra environment variables.</summary>
    public RunningKubectl Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = StartInfo(arguments);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return new RunningKubectl(Process.Start(start)
            ?? throw new InvalidOperationException("kubectl could not be started; setup.sh checks that it is installed"));
    }

    private ProcessStartInfo StartInfo(string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["KUBECACHEDIR"] = cacheDirectory; // discovery cached by another server must not leak in
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// <summary>Runs <c>kubectl create -f</c> on <paramref name="manifest"/>, expecting success.</summary>
    public async Task CreateAsync(string manifest) =>
        await SucceedAsync("create", "-f", await WriteManifestAsync(manifest));

    /// <summary>Writes <paramref name="manifest"/> to a file of its own; returns the file's path.</summary>
    public async Task<string> WriteManifestAsync(string manifest)
    {
        Directory.CreateDirectory(manifestDirectory);
        var path = Path.Combine(manifestDirectory, $"{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, manifest, TestContext.Current.CancellationToken);
        return path;
    }

    /// <summary>Runs kubectl and expects success; returns what it printed.</summary>
    public async Task<string> SucceedAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await RunAsync(arguments);
        Assert.True(exitCode == 0, $"kubectl {string.Join(' ', arguments)} exited {exitCode}: {error}{output}");
        return output;
    }

    /// <summary>Runs kubectl and expects failure; returns its error output.</summary>
    public async Task<string> FailAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await RunAsync(arguments);
        Assert.True(exitCode != 0, $"kubectl {string.Join(' ', arguments)} succeeded: {output}");
        return error;
    }
}
