using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Agent.Runtime;

/// <summary>The streaming calls: a container's log, commands run with their streams attached, and connections to a sandbox's ports.</summary>
public sealed partial class DockerRuntime
{
    private static readonly TimeSpan s_logResumeDelay = TimeSpan.FromMilliseconds(200);

    public async Task<IExecSession> ExecAttachedAsync(string containerId, IReadOnlyList<string> command, bool tty, bool stdin, CancellationToken cancellationToken)
    {
        var exec = await Call(() => _client.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = [.. command],
            AttachStdin = stdin,
            AttachStdout = true,
            AttachStderr = true,
            TTY = tty,
        }, cancellationToken));
        var stream = await Call(() => _client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { TTY = tty }, cancellationToken));
        return new ExecSession(this, exec.ID, stream);
    }

    public async Task WriteLogAsync(string containerId, LogOptions options, Stream destination, CancellationToken cancellationToken)
    {
        if (!options.Follow)
        {
            await CopyLogAsync(containerId, LogParameters(options), destination.WriteAsync, cancellationToken);
            return;
        }
        // a followed log is read with the engine's timestamps, so that it can be continued should the engine end it early
        var resumption = new LogResumption(destination, options.Timestamps);
        var parameters = LogParameters(options with { Timestamps = true });
        while (true)
        {
            await CopyLogAsync(containerId, parameters, resumption.WriteAsync, cancellationToken);
            var state = (await Call(() => _client.Containers.InspectContainerAsync(containerId, cancellationToken))).State;
            if (state is not { Running: true })
            {
                return;
            }
            await Task.Delay(s_logResumeDelay, cancellationToken);
            resumption.Resume();
            parameters = LogParameters(options with { Timestamps = true, TailLines = null, Since = resumption.ResumeFrom ?? options.Since });
        }
    }

    private static ContainerLogsParameters LogParameters(LogOptions options) => new()
    {
        ShowStdout = true,
        ShowStderr = true,
        Follow = options.Follow,
        Timestamps = options.Timestamps,
        Tail = options.TailLines is { } tail ? tail.ToString(CultureInfo.InvariantCulture) : "all",
        Since = options.Since is { } since ? since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : null,
    };

    private async Task CopyLogAsync(string containerId, ContainerLogsParameters parameters,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        using var stream = await Call(() => _client.Containers.GetContainerLogsAsync(containerId, parameters, cancellationToken));
        var buffer = new byte[64 * 1024]; // larger than an engine's log entry, so a read is mostly a whole entry
        while (true)
        {
            var read = await Call(() => stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken));
            if (read.EOF)
            {
                return;
            }
            await write(buffer.AsMemory(0, read.Count), cancellationToken);
        }
    }

    public async Task<System.Net.Sockets.Socket> ConnectToPortAsync(string sandboxId, int port, CancellationToken cancellationToken)
    {
        if (_pinned is not null)
        {
            return await NetworkNamespaceDialer.ConnectAsync(_pinned.NetworkNamespace(sandboxId), sandboxId, port, cancellationToken);
        }
        var sandbox = await Call(() => _client.Containers.InspectContainerAsync(sandboxId, cancellationToken));
        if (sandbox.State is not { Running: true, Pid: > 0 and var pid })
        {
            throw new RuntimeException($"the sandbox {sandboxId} is not running");
        }
        // the engine runs on this machine, so the sandbox's process and its network namespace are ours to see
        return await NetworkNamespaceDialer.ConnectAsync($"/proc/{pid}/ns/net", sandboxId, port, cancellationToken);
    }

    private sealed class ExecSession(DockerRuntime runtime, string execId, MultiplexedStream stream) : IExecSession
    {
        public async Task<(OutputStream Stream, int Count)> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
        {
            var read = await runtime.Call(() => stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken));
            return (read.Target == MultiplexedStream.TargetStream.StandardError ? OutputStream.Stderr : OutputStream.Stdout, read.EOF ? 0 : read.Count);
        }

        public Task WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            runtime.Call(() => stream.WriteAsync(data.ToArray(), 0, data.Length, cancellationToken));

        public void CloseInput() => stream.CloseWrite();

        public Task ResizeAsync(int width, int height, CancellationToken cancellationToken) =>
            runtime.Call(() => runtime._client.Exec.ResizeExecTtyAsync(execId,
                new ContainerResizeParameters { Width = width, Height = height }, cancellationToken));

        public async Task<int> ExitCodeAsync(CancellationToken cancellationToken)
        {
            // the command may outlive its output, and the engine records the exit code a moment after it ends
            while (true)
            {
                var inspected = await runtime.Call(() => runtime._client.Exec.InspectContainerExecAsync(execId, cancellationToken));
                if (!inspected.Running)
                {
                    return (int)(inspected.ExitCode ?? -1);
                }
                await Task.Delay(50, cancellationToken);
            }
        }

        public ValueTask DisposeAsync()
        {
            stream.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
