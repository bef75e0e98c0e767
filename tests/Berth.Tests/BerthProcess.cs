using System.Diagnostics;
using System.Text;

namespace Berth.Tests;

/// <summary>The real <c>berth</c> executable, started as a user starts it, with its output captured.</summary>
internal sealed class BerthProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Uri> _addresses = [];

    private BerthProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static BerthProcess Start(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
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
        start.Environment.Remove("BERTH_DATA_DIR");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return new BerthProcess(Process.Start(start)!);
    }

    /// <summary>The HTTPS address of the Kubernetes API, once the server has started.</summary>
    public Uri KubeAddress
    {
        get
        {
            lock (_output)
            {
                return _addresses.First(a => a.Scheme == Uri.UriSchemeHttps);
            }
        }
    }

    /// <summary>Starts <c>berth server</c> on free loopback ports and waits until it serves.</summary>
    public static async Task<(BerthProcess Process, Uri Address)> StartServerAsync(string dataDirectory, params string[] extra)
    {
        var process = Start(["server", "--data-dir", dataDirectory, "--port", "0", "--kube-port", "0", .. extra]);
        var address = await process.WaitForListeningAsync();
        return (process, address);
    }

    /// <summary>Runs <c>berth</c> to completion; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        await using var process = Start(arguments);
        var exitCode = await process.WaitForExitAsync();
        return (exitCode, process.Output);
    }

    /// <summary>Waits until the server has started; returns its plain HTTP address (the AWS endpoint).</summary>
    public async Task<Uri> WaitForListeningAsync()
    {
        var exited = _process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var first = await Task.WhenAny(_started.Task, exited).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        if (first != _started.Task)
        {
            Assert.Fail($"berth exited with {_process.ExitCode} before it started:\n{Output}");
        }
        lock (_output)
        {
            return _addresses.First(a => a.Scheme == Uri.UriSchemeHttp);
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Kills the server outright (SIGKILL): no flush, no shutdown, nothing it could still save.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Asks for a graceful stop, as systemd or Ctrl-C would.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        const string marker = "Now listening on: ";
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            lock (_output)
            {
                _addresses.Add(new Uri(line[(at + marker.Length)..].Trim()));
            }
        }
        if (line.Contains("Application started", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }

    /// <summary>The node agents running for the server of <paramref name="dataDirectory"/>: their command lines name it.</summary>
    public static List<int> AgentsOf(string dataDirectory) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(name => int.TryParse(name, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && CommandLine(pid) is { } line
                && line.Contains("/berth-agent ", StringComparison.Ordinal) && line.Contains(dataDirectory, StringComparison.Ordinal))];

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null; // exited since the folder was listed
        }
    }
}
