using System.Net;

namespace Berth.Agent.Client;

/// <summary>An answer of the API server other than success: its status code and the message of the Status it sent.</summary>
internal sealed class ApiException(HttpStatusCode statusCode, string message, string request)
    : Exception($"{request}: {(int)statusCode} {statusCode}: {message}")
{
    public HttpStatusCode StatusCode => statusCode;
}
