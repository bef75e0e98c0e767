namespace Berth.Agent.Server;

/// <summary>A request to the agent's endpoint that cannot be served: the status code, and the message the kubelet gives.</summary>
internal sealed class AgentRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
