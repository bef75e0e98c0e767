namespace Berth.Agent.Server.Spdy;

/// <summary>The peer broke SPDY's framing; the session ends.</summary>
internal sealed class SpdyProtocolException(string message) : Exception(message);
