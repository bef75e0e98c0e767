using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Agent.Runtime;
using Microsoft.AspNetCore.Http;

namespace Berth.Agent.Server;

/// <summary>
/// <c>/exec/{namespace}/{pod}/{container}?command=…&amp;stdin=…&amp;tty=…</c>, the kubelet's exec endpoint that
/// <c>kubectl exec</c> reaches through the API server, over a WebSocket speaking Kubernetes' channel protocol
/// (<c>v5.channel.k8s.io</c>, and <c>v4</c>): each message is a channel byte and data; 0 stdin, 1 stdout, 2 stderr,
/// 3 the outcome as a Status, 4 terminal resizes, and (v5) 255 to close a channel.
/// </summary>
internal sealed class ExecEndpoint(ContainerTargets targets, IContainerRuntime runtime)
{
    private const string V5 = "v5.channel.k8s.io";
    private const string V4 = "v4.channel.k8s.io";

    /// <summary>How long the client has to answer the close before the connection is dropped.</summary>
    private static readonly TimeSpan s_closeWait = TimeSpan.FromSeconds(5);

    private const byte Stdin = 0;
    private const byte Stdout = 1;
    private const byte Stderr = 2;
    private const byte Error = 3;
    private const byte Resize = 4;
    private const byte Close = 255;

    public async Task HandleAsync(HttpContext context, string @namespace, string pod, string container)
    {
        var query = context.Request.Query;
        var command = query["command"].OfType<string>().ToList();
        if (command.Count == 0)
        {
            throw new AgentRequestException(400, "you must specify at least 1 command");
        }
        var found = targets.Pod(@namespace, pod);
        var id = ContainerTargets.Running(found, container);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new AgentRequestException(400, $"exec is served over a WebSocket ({V5} or {V4}); SPDY is not supported");
        }
        var protocol = context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault(p => p is V5 or V4)
            ?? throw new AgentRequestException(400, $"none of the requested protocols is supported; supported: {V5}, {V4}");
        var stdin = Flag(query["stdin"]);
        var tty = Flag(query["tty"]);
        await using var session = await runtime.ExecAttachedAsync(id, command, tty, stdin, context.RequestAborted);
        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var input = PumpInputAsync(socket, session, protocol == V5, done.Token);
        var outcome = await PumpOutputAsync(socket, session, done.Token);
        await SendAsync(socket, Error, Encoding.UTF8.GetBytes(outcome), done.Token);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, done.Token);
        // the client answers the close, which ends the input; cancelling a receive would abort the socket unclosed
        if (await Task.WhenAny(input, Task.Delay(s_closeWait, done.Token)) != input)
        {
            await done.CancelAsync();
        }
        try
        {
            await input;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // the client went, or the command ended first: its input no longer matters
        }
    }

    /// <summary>Sends the command's output until it closes; returns the outcome as the Status the error channel carries.</summary>
    private static async Task<string> PumpOutputAsync(WebSocket socket, IExecSession session, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var (stream, count) = await session.ReadAsync(buffer, cancellationToken);
            if (count == 0)
            {
                break;
            }
            await SendAsync(socket, stream == OutputStream.Stderr ? Stderr : Stdout, buffer.AsMemory(0, count), cancellationToken);
        }
        var exitCode = await session.ExitCodeAsync(cancellationToken);
        var status = exitCode == 0
            ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
            : new JsonObject
            {
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = $"command terminated with non-zero exit code: error executing command, exit code {exitCode}",
                ["reason"] = "NonZeroExitCode",
                ["details"] = new JsonObject
                {
                    ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
                },
            };
        return status.ToJsonString();
    }

    /// <summary>Feeds the client's stdin and terminal sizes to the command until the client closes its side.</summary>
    private static async Task PumpInputAsync(WebSocket socket, IExecSession session, bool v5, CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>();
        var buffer = new byte[32 * 1024];
        while (true)
        {
            message.ResetWrittenCount();
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer.AsSpan(0, received.Count));
            }
            while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                session.CloseInput();
                return;
            }
            var data = message.WrittenMemory;
            if (data.Length == 0)
            {
                continue;
            }
            switch (data.Span[0])
            {
                case Stdin when data.Length > 1:
                    await session.WriteInputAsync(data[1..], cancellationToken);
                    break;
                case Resize when data.Length > 1:
                    var size = JsonNode.Parse(data.Span[1..]);
                    if (size?["Width"]?.GetValue<int>() is { } width && size["Height"]?.GetValue<int>() is { } height)
                    {
                        await session.ResizeAsync(width, height, cancellationToken);
                    }
                    break;
                case Close when v5 && data.Length > 1 && data.Span[1] == Stdin:
                    session.CloseInput();
                    break;
            }
        }
    }

    private static Task SendAsync(WebSocket socket, byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame.AsMemory(1));
        return socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
    }

    private static bool Flag(string? value) => value is "true" or "1";
}
