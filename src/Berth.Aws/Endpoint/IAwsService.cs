using Berth.Aws.Accounts;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Endpoint;

/// <summary>One AWS service on the endpoint, found by the service its requests are signed for.</summary>
public interface IAwsService
{
    /// <summary>The signing name in the credential scope: <c>sts</c>, <c>ecr</c>, <c>eks</c> ….</summary>
    string SigningName { get; }

    AwsProtocol Protocol { get; }

    /// <summary>
    /// Answers a request whose signature has been verified. Throws <see cref="AwsException"/> for the errors the service
    /// defines; the endpoint writes them in the service's protocol.
    /// </summary>
    Task HandleAsync(AwsRequest request, CancellationToken cancellationToken);

    /// <summary>Writes an error the way the service's protocol does.</summary>
    Task WriteErrorAsync(HttpResponse response, AwsException failure, string requestId, CancellationToken cancellationToken);
}

/// <summary>
/// A service that answers some actions without a signature, as STS answers <c>AssumeRoleWithWebIdentity</c>: the
/// request's own token is its credential.
/// </summary>
public interface IUnsignedActions
{
    /// <summary>Whether the unsigned request is one of those actions.</summary>
    bool Accepts(HttpRequest request, ReadOnlyMemory<byte> body);

    /// <summary>Answers it; throws <see cref="AwsException"/> for the service's errors, which the endpoint writes.</summary>
    Task HandleUnsignedAsync(HttpContext context, ReadOnlyMemory<byte> body, string requestId, CancellationToken cancellationToken);
}

/// <summary>A verified request: who made it, its body (read whole, within the endpoint's limit) and its id.</summary>
public sealed record AwsRequest(HttpContext Http, AccessKey Caller, string Region, ReadOnlyMemory<byte> Body, string RequestId);
