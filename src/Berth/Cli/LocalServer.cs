using System.Diagnostics;
using System.Reflection;
using Berth.Server;

namespace Berth.Cli;

/// <summary>
/// The <c>berth server</c> that <c>berth up</c> starts in the background and <c>berth down</c> stops: its process id
/// and log in the data folder, its readiness from <c>/readyz</c>.
/// </summary>
internal sealed class LocalServer(string dataDirectory, int port)
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The server's own shutdown allows 15 s for its agents and requests; a little more before SIGKILL.</summary>
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(30);

    public Uri Endpoint { get; } = new($"http://127.0.0.1:{port}");

    public string PidFile => Path.Combine(dataDirectory, "server.pid");

    public string LogFile => Path.Combine(dataDirectory, "server.log");

    /// <summary>The process id recorded at the last start, when that process still runs.</summary>
    public int? RunningPid()
    {
        if (!File.Exists(PidFile) || !int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid))
        {
            return null;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : pid;
        }
        catch (ArgumentException)
        {
            return null; // no such process
        }
    }

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri(Endpoint, "/readyz"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // no answer within the timeout
        }
    }

    /// <summary>
    /// Starts <c>berth server</c> in a session of its own (so the terminal's Ctrl-C and hang-up leave it running),
    /// its output appended to the log, and waits until it is ready.
    /// </summary>
    public async Task StartAsync(IReadOnlyList<string> serverArguments, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataDirectory);
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var part in (string[])["sh", "-c", "exec \"$@\" >>\"$BERTH_SERVER_LOG\" 2>&1 </dev/null", "sh", .. BerthServer.BerthCommand(), "server",
            "--data-dir", dataDirectory, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. serverArguments])
        {
            start.ArgumentList.Add(part);
        }
        start.Environment["BERTH_SERVER_LOG"] = LogFile;
        using var process = Process.Start(start) ?? throw new ServerStartException("berth server did not start");
        await File.WriteAllTextAsync(PidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n", cancellationToken);
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (!await IsReadyAsync(cancellationToken))
        {
            if (process.HasExited)
            {
                throw new ServerStartException($"berth server stopped while starting (exit code {process.ExitCode}); its log says:\n{Tail(LogFile, 15)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new ServerStartException($"berth server was not ready within {s_startTimeout.TotalSeconds:0} s; see {LogFile}");
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Stops the recorded server as Ctrl-C would (SIGTERM: its agents stop with it) and waits for it to exit.</summary>
    public async Task<bool> StopAsync(CancellationToken cancellationToken)
    {
        if (RunningPid() is not { } pid)
        {
            File.Delete(PidFile);
            return false;
        }
        using var process = Process.GetProcessById(pid);
        using (var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_stopTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true); // it ignored SIGTERM for longer than its own shutdown allows
        }
        File.Delete(PidFile);
        return true;
    }

    private static string Tail(string path, int lines) =>
        File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no log)";

    /// <summary>The version of this executable, which the server it starts shares.</summary>
    public static string Version => typeof(LocalServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
}

/// <summary>The server <c>berth up</c> started did not become ready; the message says why, with its log's last lines.</summary>
internal sealed class ServerStartException(string message) : Exception(message);
