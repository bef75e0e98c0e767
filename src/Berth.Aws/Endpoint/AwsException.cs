using Berth.Aws.Auth;

namespace Berth.Aws.Endpoint;

/// <summary>An error as AWS reports it: a code, a message, an HTTP status, and whose fault it was.</summary>
public sealed class AwsException(string code, string message, int status = 400, bool senderFault = true) : Exception(message)
{
    public string Code { get; } = code;

    public int Status { get; } = status;

    public bool SenderFault { get; } = senderFault;

    /// <summary>The error a service of <paramref name="protocol"/> gives for a refused signature.</summary>
    public static AwsException ForSignature(AwsProtocol protocol, SigV4Failure failure, string message) => (protocol, failure) switch
    {
        (AwsProtocol.Query, SigV4Failure.Missing) => new("MissingAuthenticationToken", "Request is missing Authentication Token", 403),
        (AwsProtocol.Query, SigV4Failure.Incomplete) => new("IncompleteSignature", message),
        (AwsProtocol.Query, SigV4Failure.UnknownAccessKey) => new("InvalidClientTokenId", message, 403),
        (AwsProtocol.Query, _) => new("SignatureDoesNotMatch", message, 403),
        (_, SigV4Failure.Missing) => new("MissingAuthenticationTokenException", message, 403),
        (_, SigV4Failure.Incomplete) => new("IncompleteSignatureException", message, 403),
        (_, SigV4Failure.UnknownAccessKey) => new("UnrecognizedClientException", message, protocol == AwsProtocol.Json ? 400 : 403),
        _ => new("InvalidSignatureException", message, protocol == AwsProtocol.Json ? 400 : 403),
    };
}
