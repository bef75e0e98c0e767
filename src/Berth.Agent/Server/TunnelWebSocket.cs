using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Agent.Server;

/// <summary>
/// Accepts a WebSocket whose subprotocol .NET refuses to name: Kubernetes' <c>SPDY/3.1+portforward.k8s.io</c> holds
/// a '/', which RFC 6455's token grammar leaves out and ASP.NET Core's handshake therefore rejects. The handshake
/// (RFC 6455 section 4.2.2) is answered here instead, and the upgraded connection is framed as a server WebSocket.
/// </summary>
internal static class TunnelWebSocket
{
    /// <summary>The GUID RFC 6455 appends to the client's key.</summary>
    private const string HandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(30);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "RFC 6455 defines the accept key as a SHA-1 digest; it proves the handshake, it protects nothing.")]
    public static async Task<WebSocket> AcceptAsync(HttpContext context, string subprotocol)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var key = context.Request.Headers.SecWebSocketKey.ToString();
        if (upgrade is not { IsUpgradableRequest: true } || key.Length == 0)
        {
            throw new AgentRequestException(400, "unable to upgrade: missing upgrade headers in request");
        }
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.SecWebSocketAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + HandshakeGuid)));
        context.Response.Headers.SecWebSocketProtocol = subprotocol;
        var stream = await upgrade.UpgradeAsync();
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = s_keepAlive });
    }
}
