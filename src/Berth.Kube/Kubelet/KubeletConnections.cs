using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Pki;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Kube.Kubelet;

/// <summary>
/// The API server's side of the node agents' endpoints, as kube-apiserver reaches kubelets: over HTTPS with the
/// install's kubelet-client certificate, without checking the agent's self-signed one. A plain request (logs) is
/// streamed back as the agent writes it; an upgrade (exec over a WebSocket) is passed through byte for byte once
/// the agent has switched protocols, so the agent speaks the stream protocol with the client itself.
/// </summary>
[SuppressMessage("Security", "CA5359", Justification = "Agents serve self-signed certificates, unchecked as kube-apiserver leaves kubelets' unchecked without a kubelet CA; the agents check the API server's client certificate.")]
internal sealed class KubeletConnections(ClusterPki pki) : IDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private const int MaxErrorBytes = 64 * 1024;
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The request headers an upgrade needs the agent to see.</summary>
    private static readonly string[] s_upgradeRequestHeaders =
        ["Upgrade", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "X-Stream-Protocol-Version"];

    /// <summary>The response headers of a switch the client needs to see (Kestrel writes <c>Connection</c> itself).</summary>
    private static readonly string[] s_upgradeResponseHeaders = ["Upgrade", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "X-Stream-Protocol-Version"];

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectTimeout = s_connectTimeout,
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = [pki.KubeletClient],
            RemoteCertificateValidationCallback = AcceptAgentCertificate,
        },
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Answers <paramref name="context"/> with what the agent at <paramref name="target"/> answers, streamed.</summary>
    public async Task ForwardAsync(HttpContext context, Uri target)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            await UpgradeAsync(context, upgrade, target);
            return;
        }
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(context.Request.Method, target, e);
        }
        using (response)
        {
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            if (!response.IsSuccessStatusCode)
            {
                throw AgentError((int)response.StatusCode, await ReadTextAsync(body, context.RequestAborted));
            }
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain";
            await context.Response.StartAsync(context.RequestAborted);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted); // a followed log arrives as it is written
            }
        }
    }

    /// <summary>Reads a JSON document from the agent at <paramref name="target"/>, at most <paramref name="maxBytes"/> long.</summary>
    public async Task<JsonNode?> GetJsonAsync(Uri target, int maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(target, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw AgentError((int)response.StatusCode, await ReadTextAsync(body, cancellationToken));
            }
            var buffer = new MemoryStream();
            await CopyAtMostAsync(body, buffer, maxBytes + 1, cancellationToken);
            if (buffer.Length > maxBytes)
            {
                throw new KubeApiException(500, "InternalError", $"the node agent at {target.Authority} answered with more than {maxBytes} bytes");
            }
            buffer.Position = 0;
            return await JsonNode.ParseAsync(buffer, cancellationToken: cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable("GET", target, e);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new KubeApiException(500, "InternalError", $"the node agent at {target.Authority} answered with malformed JSON: {e.Message}");
        }
    }

    /// <summary>The address of <paramref name="path"/> on the node's agent endpoint: its InternalIP (else its first address) and kubelet port.</summary>
    public static Uri AgentUri(JsonObject node, string path) => new UriBuilder("https", AgentAddress(node), AgentPort(node), path).Uri;

    public void Dispose() => _http.Dispose();

    private async Task UpgradeAsync(HttpContext context, IHttpUpgradeFeature upgrade, Uri target)
    {
        await using var agent = await ConnectAsync(context.Request.Method, target, context.RequestAborted);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{context.Request.Method} {target.PathAndQuery} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {target.Authority}\r\n")
            .Append("Connection: Upgrade\r\n");
        foreach (var name in s_upgradeRequestHeaders)
        {
            foreach (var value in context.Request.Headers[name])
            {
                head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
            }
        }
        head.Append("Content-Length: 0\r\n\r\n");
        await agent.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), context.RequestAborted);
        await agent.FlushAsync(context.RequestAborted);

        var (status, headers, rest) = await ReadResponseHeadAsync(agent, context.RequestAborted);
        if (status != StatusCodes.Status101SwitchingProtocols)
        {
            // the agent refused (no such container, not allowed): its answer, as kube-apiserver passes it on
            var length = headers.TryGetValue("Content-Length", out var given) && int.TryParse(given, CultureInfo.InvariantCulture, out var n) ? Math.Min(n, MaxErrorBytes) : MaxErrorBytes;
            var body = new MemoryStream();
            body.Write(rest.Span[..Math.Min(rest.Length, length)]);
            await CopyAtMostAsync(agent, body, length - (int)body.Length, context.RequestAborted);
            context.Response.StatusCode = status;
            context.Response.ContentType = headers.GetValueOrDefault("Content-Type") ?? "text/plain";
            await context.Response.Body.WriteAsync(body.ToArray(), context.RequestAborted);
            return;
        }
        foreach (var name in s_upgradeResponseHeaders)
        {
            if (headers.TryGetValue(name, out var value))
            {
                context.Response.Headers[name] = value;
            }
        }
        await using var client = await upgrade.UpgradeAsync();
        await client.WriteAsync(rest, context.RequestAborted);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var up = PumpAsync(client, agent, done.Token);
        var down = PumpAsync(agent, client, done.Token);
        await Task.WhenAny(up, down);
        await done.CancelAsync(); // one side closed: the stream is over for both
        await Task.WhenAll(up, down);
    }

    /// <summary>Copies until the source ends or either side breaks; a broken side ends the stream, not the server.</summary>
    private static async Task PumpAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await to.FlushAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or AuthenticationException)
        {
            // the client or the agent went away
        }
    }

    private async Task<SslStream> ConnectAsync(string method, Uri target, CancellationToken cancellationToken)
    {
        var socket = new TcpClient();
        try
        {
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connecting.CancelAfter(s_connectTimeout);
                await socket.ConnectAsync(target.Host, target.Port, connecting.Token);
            }
            var tls = new SslStream(socket.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = target.Host,
                ClientCertificates = [pki.KubeletClient],
                RemoteCertificateValidationCallback = AcceptAgentCertificate,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cancellationToken);
            return tls;
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            throw Unreachable(method, target, e);
        }
    }

    /// <summary>Reads a response's status line and headers; returns them and what was read past them.</summary>
    private static async Task<(int Status, Dictionary<string, string> Headers, ReadOnlyMemory<byte> Remainder)> ReadResponseHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes];
        var filled = 0;
        while (true)
        {
            var end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var lines = Encoding.ASCII.GetString(buffer, 0, end).Split("\r\n");
                var parts = lines[0].Split(' ', 3);
                var status = parts.Length >= 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var code) ? code
                    : throw new IOException($"the node agent answered with a malformed status line: {lines[0]}");
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var line in lines.Skip(1))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                    }
                }
                return (status, headers, buffer.AsMemory(end + 4, filled - end - 4));
            }
            if (filled == buffer.Length)
            {
                throw new IOException("the node agent's response headers are too large");
            }
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                throw new IOException("the node agent closed the connection before answering");
            }
            filled += read;
        }
    }

    private static async Task CopyAtMostAsync(Stream from, Stream to, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[8 * 1024];
        while (count > 0)
        {
            var read = await from.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0)
            {
                return;
            }
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            count -= read;
        }
    }

    private static async Task<string> ReadTextAsync(Stream body, CancellationToken cancellationToken)
    {
        var text = new MemoryStream();
        await CopyAtMostAsync(body, text, MaxErrorBytes, cancellationToken);
        return Encoding.UTF8.GetString(text.ToArray()).Trim();
    }

    /// <summary>An agent's refusal as a Status, its text the message, as kube-apiserver's generic response checker makes it.</summary>
    private static KubeApiException AgentError(int status, string message) => new(status, status switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        _ => "InternalError",
    }, message.Length > 0 ? message : $"the server responded with the status code {status} but did not return more information");

    private static KubeApiException Unreachable(string method, Uri target, Exception e) =>
        new(500, "InternalError", $"{method[..1]}{method[1..].ToLowerInvariant()} \"{target}\": {e.Message}");

    /// <summary>Agents serve self-signed certificates; kube-apiserver without a kubelet CA does not check them either.</summary>
    private static bool AcceptAgentCertificate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors) => true;

    /// <summary>Where the node's agent is reached: its InternalIP, else its first address.</summary>
    private static string AgentAddress(JsonObject node)
    {
        var addresses = (node["status"]?["addresses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return (addresses.FirstOrDefault(a => a["type"].AsText() == "InternalIP") ?? addresses.FirstOrDefault())?["address"].AsText()
            ?? throw new KubeApiException(500, "InternalError", $"node {node["metadata"]?["name"]} has no address to reach its agent at");
    }

    private static int AgentPort(JsonObject node) =>
        node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"].AsLong() is { } port and > 0 and <= 65535 ? (int)port
            : throw new KubeApiException(500, "InternalError", $"node {node["metadata"]?["name"]} has no agent endpoint (status.daemonEndpoints.kubeletEndpoint.Port)");
}
