using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Berth.Agent.Runtime;
using Berth.Agent.Server.Spdy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Server;

/// <summary>
/// <c>/portForward/{namespace}/{pod}</c>, the kubelet's port-forward endpoint that <c>kubectl port-forward</c> reaches
/// through the API server: a SPDY/3.1 session (protocol <c>portforward.k8s.io</c>), over a WebSocket
/// (<c>SPDY/3.1+portforward.k8s.io</c>, which kubectl tries first) or a plain SPDY upgrade. For each connection the
/// client opens an error stream and a data stream with one <c>requestID</c> and a <c>port</c>; the data stream is
/// joined to that port on the pod's localhost, and a failure is written to the error stream, which is closed at the end.
/// </summary>
internal sealed partial class PortForwardEndpoint(ContainerTargets targets, IContainerRuntime runtime, ILogger<PortForwardEndpoint> logger)
{
    private const string Protocol = "portforward.k8s.io";
    private const string TunnelProtocol = "SPDY/3.1+" + Protocol;
    private const string SpdyUpgrade = "SPDY/3.1";

    /// <summary>How long one stream of a pair waits for the other, as the kubelet's stream creation timeout.</summary>
    private static readonly TimeSpan s_pairTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long the client's side may go on once the pod's side has closed.</summary>
    private static readonly TimeSpan s_drainTime = TimeSpan.FromSeconds(1);

    public async Task HandleAsync(HttpContext context, string @namespace, string name)
    {
        var pod = targets.Pod(@namespace, name);
        var sandboxes = await runtime.ListSandboxesAsync(pod.Metadata.Uid, context.RequestAborted);
        var sandbox = sandboxes.Where(s => s.Running).MaxBy(s => s.Attempt)
            ?? throw new AgentRequestException(500, $"failed to find sandboxID for pod {name}");
        await using var transport = await UpgradeAsync(context);
        using var session = new SpdySession(transport);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var forwarding = new List<Task>();
        var serving = ServeAsync(session, sandbox.Id, name, forwarding, done.Token);
        try
        {
            await session.RunAsync(done.Token);
        }
        catch (SpdyProtocolException e)
        {
            LogSessionBroken(@namespace, name, e.Message);
        }
        finally
        {
            await done.CancelAsync();
            await serving;
            await Task.WhenAll(forwarding);
        }
    }

    /// <summary>Switches the connection to SPDY, tunnelled in a WebSocket when the client asks so.</summary>
    private static async Task<Stream> UpgradeAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            if (!context.WebSockets.WebSocketRequestedProtocols.Contains(TunnelProtocol))
            {
                throw new AgentRequestException(400, $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(' ', context.WebSockets.WebSocketRequestedProtocols)}], server supports [{TunnelProtocol}]");
            }
            var socket = await TunnelWebSocket.AcceptAsync(context, TunnelProtocol);
            return WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
        }
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true } || !context.Request.Headers.Upgrade.ToString().Contains(SpdyUpgrade, StringComparison.OrdinalIgnoreCase))
        {
            throw new AgentRequestException(400, "unable to upgrade: missing upgrade headers in request");
        }
        var offered = context.Request.Headers["X-Stream-Protocol-Version"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries)).ToList();
        if (offered.Count > 0 && !offered.Contains(Protocol))
        {
            throw new AgentRequestException(403, $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(' ', offered)}], server supports [{Protocol}]");
        }
        context.Response.Headers["X-Stream-Protocol-Version"] = Protocol;
        context.Response.Headers.Upgrade = SpdyUpgrade;
        return await upgrade.UpgradeAsync();
    }

    /// <summary>Pairs the client's streams by request and starts forwarding each complete pair.</summary>
    private async Task ServeAsync(SpdySession session, string sandboxId, string podName, List<Task> forwarding, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, StreamPair>(StringComparer.Ordinal);
        try
        {
            await foreach (var stream in session.AcceptAsync(cancellationToken))
            {
                var type = stream.Headers.GetValueOrDefault("streamtype");
                // clients older than requestID pair an error stream with the data stream two ids later
                var request = stream.Headers.GetValueOrDefault("requestid")
                    ?? (type == "data" ? stream.Id - 2 : stream.Id).ToString(CultureInfo.InvariantCulture);
                StreamPair? pair;
                lock (pending)
                {
                    if (!pending.TryGetValue(request, out pair))
                    {
                        pair = new StreamPair();
                        pending[request] = pair;
                        forwarding.Add(ExpireAsync(pair, request, pending, cancellationToken));
                    }
                }
                switch (type)
                {
                    case "error" when pair.Error is null:
                        pair.Error = stream;
                        break;
                    case "data" when pair.Data is null:
                        pair.Data = stream;
                        break;
                    default:
                        await stream.CloseAsync(cancellationToken); // an unknown or repeated stream type has nothing to carry
                        continue;
                }
                if (pair is { Error: not null, Data: not null })
                {
                    lock (pending)
                    {
                        pending.Remove(request);
                    }
                    pair.Complete.TrySetResult();
                    forwarding.Add(ForwardAsync(pair.Error, pair.Data, sandboxId, podName, cancellationToken));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the session ended
        }
    }

    /// <summary>Gives up on a pair whose second stream does not come, as the kubelet does.</summary>
    private static async Task ExpireAsync(StreamPair pair, string request, Dictionary<string, StreamPair> pending, CancellationToken cancellationToken)
    {
        try
        {
            await pair.Complete.Task.WaitAsync(s_pairTimeout, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (pending)
            {
                pending.Remove(request);
            }
            if (e is TimeoutException)
            {
                await CloseQuietlyAsync(pair.Error, pair.Data);
            }
        }
    }

    /// <summary>Joins one data stream to the pod's port until both sides are done; reports a failure on the error stream.</summary>
    private async Task ForwardAsync(SpdyStream error, SpdyStream data, string sandboxId, string podName, CancellationToken cancellationToken)
    {
        try
        {
            var portText = data.Headers.GetValueOrDefault("port") ?? "";
            if (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
            {
                await error.WriteAsync(Encoding.UTF8.GetBytes($"invalid port header \"{portText}\""), cancellationToken);
                return;
            }
            Socket socket;
            try
            {
                socket = await runtime.ConnectToPortAsync(sandboxId, port, cancellationToken);
            }
            catch (RuntimeException e)
            {
                await error.WriteAsync(Encoding.UTF8.GetBytes($"error forwarding port {port} to pod {sandboxId}, uid : {e.Message}"), cancellationToken);
                return;
            }
            using (socket)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var toPod = CopyToPodAsync(data, socket, stop.Token);
                var fromPod = CopyFromPodAsync(socket, data, stop.Token);
                if (await Task.WhenAny(toPod, fromPod) == fromPod)
                {
                    await Task.WhenAny(toPod, Task.Delay(s_drainTime, cancellationToken));
                }
                else
                {
                    await fromPod;
                }
                await stop.CancelAsync();
                await Task.WhenAll(toPod, fromPod);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            LogConnectionStopped(podName, e.Message);
        }
        finally
        {
            await CloseQuietlyAsync(error, data);
        }
    }

    /// <summary>What the client sends, to the pod; the client's FIN half-closes the pod's connection.</summary>
    private static async Task CopyToPodAsync(SpdyStream data, Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var read = await data.Input.ReadAsync(cancellationToken);
                foreach (var segment in read.Buffer)
                {
                    await socket.SendAsync(segment, SocketFlags.None, cancellationToken);
                }
                data.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // the client or the pod went away
        }
        finally
        {
            await data.Input.CompleteAsync();
        }
    }

    /// <summary>What the pod sends, to the client, until the pod closes its side.</summary>
    private static async Task CopyFromPodAsync(Socket socket, SpdyStream data, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                await data.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            // the client or the pod went away
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Ends this side of both streams; the session may already be gone.</summary>
    private static async Task CloseQuietlyAsync(params SpdyStream?[] streams)
    {
        foreach (var stream in streams)
        {
            if (stream is null)
            {
                continue;
            }
            try
            {
                await stream.CloseAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or WebSocketException)
            {
                // the connection is gone: there is no one left to tell
            }
        }
    }

    private sealed class StreamPair
    {
        public SpdyStream? Error { get; set; }

        public SpdyStream? Data { get; set; }

        public TaskCompletionSource Complete { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 5030, Level = LogLevel.Warning, Message = "Port forwarding to pod {Namespace}/{Pod} ended: {Reason}")]
    private partial void LogSessionBroken(string @namespace, string pod, string reason);

    [LoggerMessage(EventId = 5031, Level = LogLevel.Debug, Message = "A forwarded connection to pod {Pod} stopped: {Reason}")]
    private partial void LogConnectionStopped(string pod, string reason);
}
