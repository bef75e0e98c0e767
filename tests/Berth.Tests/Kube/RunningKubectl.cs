using System.Diagnostics;
using System.Threading.Channels;

namespace Berth.Tests.Kube;

/// <summary>A kubectl that keeps running; its output and error lines arrive as they are printed.</summary>
internal sealed class RunningKubectl : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly Channel<string> _output = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _error = Channel.CreateUnbounded<string>();
    private bool _disposed;

    public RunningKubectl(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Forward(_output, e.Data);
        _process.ErrorDataReceived += (_, e) => Forward(_error, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Task<string> WaitForOutputLineAsync(Func<string, bool> match) => WaitForAsync(_output, match, "output");

    public Task<string> WaitForErrorLineAsync(Func<string, bool> match) => WaitForAsync(_error, match, "error output");

    /// <summary>Stops kubectl and returns every output line it printed that no wait took.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        await DisposeAsync();
        var lines = new List<string>();
        while (_output.Reader.TryRead(out var line))
        {
            lines.Add(line);
        }
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process.Dispose();
    }

    private static void Forward(Channel<string> lines, string? line)
    {
        if (line is null)
        {
            lines.Writer.TryComplete();
        }
        else
        {
            lines.Writer.TryWrite(line);
        }
    }

    private static async Task<string> WaitForAsync(Channel<string> lines, Func<string, bool> match, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(s_timeout);
        var seen = new List<string>();
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(timeout.Token))
            {
                if (match(line))
                {
                    return line;
                }
                seen.Add(line);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"no matching line in kubectl's {what} within {s_timeout}; saw:\n{string.Join('\n', seen)}");
        }
        Assert.Fail($"kubectl ended without a matching line in its {what}; saw:\n{string.Join('\n', seen)}");
        return "";
    }
}
