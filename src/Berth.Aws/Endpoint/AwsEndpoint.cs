using System.Security.Cryptography;
using Berth.Aws.Accounts;
using Berth.Aws.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Aws.Endpoint;

/// <summary>
/// The one AWS endpoint: reads a request, checks its signature, and hands it to the service its credential scope
/// names. Refusals are written in that service's protocol, so each client reads the error it expects.
/// </summary>
public sealed class AwsEndpoint(IEnumerable<IAwsService> services, AccessKeys keys, TimeProvider time)
{
    /// <summary>The largest body the endpoint reads; larger requests are refused with 413.</summary>
    public const int MaxBodyBytes = 32 * 1024 * 1024;

    private readonly Dictionary<string, IAwsService> _services = services.ToDictionary(s => s.SigningName, StringComparer.Ordinal);

    /// <summary>Whether a request on the AWS port is for this endpoint: signed for AWS, or posted to the root as every Query and JSON call is.</summary>
    public static bool IsAwsRequest(HttpContext context) =>
        context.Request.Headers.Authorization.ToString().StartsWith("AWS4-", StringComparison.Ordinal)
        || context.Request.Query.ContainsKey("X-Amz-Algorithm")
        || (HttpMethods.IsPost(context.Request.Method) && context.Request.Path == "/");

    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var body = await ReadBodyAsync(context.Request, cancellationToken);
        var request = new SignedRequest
        {
            Method = context.Request.Method,
            RawPath = question < 0 ? target : target[..question],
            RawQuery = question < 0 ? "" : target[(question + 1)..],
            Headers = context.Request.Headers.Select(h => new KeyValuePair<string, IReadOnlyList<string>>(h.Key, h.Value.Select(v => v ?? "").ToList())).ToList(),
            PayloadHash = body is null ? SigV4.EmptyPayloadHash : Convert.ToHexStringLower(SHA256.HashData(body)),
        };
        // a declared payload hash is signed in place of the body's, so it must be the body's
        var declared = context.Request.Headers["x-amz-content-sha256"].ToString();
        var payloadDiffers = declared.Length > 0 && declared != SigV4.UnsignedPayload && !string.Equals(declared, request.PayloadHash, StringComparison.OrdinalIgnoreCase);
        if (declared.Length > 0 && !payloadDiffers)
        {
            request = request with { PayloadHash = declared };
        }
        var service = SigV4Verifier.ServiceOf(request) is { } name ? _services.GetValueOrDefault(name) : null;
        if (body is null)
        {
            await WriteErrorAsync(context, service, new AwsException("RequestEntityTooLarge", $"Request body must be less than {MaxBodyBytes} bytes", 413), requestId);
            return;
        }
        if (!context.Request.Headers.ContainsKey("Authorization") && !context.Request.Query.ContainsKey("X-Amz-Algorithm")
            && _services.Values.FirstOrDefault(s => s is IUnsignedActions unsigned && unsigned.Accepts(context.Request, body)) is { } open)
        {
            try
            {
                await ((IUnsignedActions)open).HandleUnsignedAsync(context, body, requestId, cancellationToken);
            }
            catch (AwsException error)
            {
                await open.WriteErrorAsync(context.Response, error, requestId, cancellationToken);
            }
            return;
        }
        AccessKey? caller = null;
        var verifier = new SigV4Verifier(async (id, ct) => (caller = await keys.FindAsync(id, ct))?.SecretAccessKey, time);
        var verified = payloadDiffers
            ? SigV4Result.Refused(SigV4Failure.Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
            : await verifier.VerifyAsync(request, cancellationToken);
        if (verified.Failure is { } failure)
        {
            await WriteErrorAsync(context, service, AwsException.ForSignature(service?.Protocol ?? GuessProtocol(context), failure, verified.Message), requestId);
            return;
        }
        if (caller!.SessionToken is { } token && SessionRefusal(context.Request, caller, token, service?.Protocol ?? GuessProtocol(context)) is { } refusal)
        {
            await WriteErrorAsync(context, service, refusal, requestId);
            return;
        }
        if (service is null)
        {
            await WriteErrorAsync(context, null, new AwsException("UnknownService",
                $"Berth serves no AWS service named '{verified.Identity!.Service}' (the service of the request's credential scope)"), requestId);
            return;
        }
        try
        {
            await service.HandleAsync(new AwsRequest(context, caller!, verified.Identity!.Region, body, requestId), cancellationToken);
        }
        catch (AwsException error)
        {
            await service.WriteErrorAsync(context.Response, error, requestId, cancellationToken);
        }
    }

    /// <summary>
    /// Why temporary credentials may not sign this request: their session token (header or presigned query) missing or
    /// wrong, or the session over; null when they may.
    /// </summary>
    private AwsException? SessionRefusal(HttpRequest request, AccessKey caller, string token, AwsProtocol protocol)
    {
        var presented = request.Headers["X-Amz-Security-Token"].ToString() is { Length: > 0 } header ? header : request.Query["X-Amz-Security-Token"].ToString();
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(presented), System.Text.Encoding.UTF8.GetBytes(token)))
        {
            return AwsException.ForSignature(protocol, SigV4Failure.UnknownAccessKey, "The security token included in the request is invalid.");
        }
        return caller.Expiration <= time.GetUtcNow()
            ? new AwsException(protocol == AwsProtocol.Query ? "ExpiredToken" : "ExpiredTokenException", "The security token included in the request is expired")
            : null;
    }

    /// <summary>The whole body, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static AwsProtocol GuessProtocol(HttpContext context) =>
        context.Request.Headers.ContainsKey("X-Amz-Target") ? AwsProtocol.Json : AwsProtocol.Query;

    /// <summary>In the service's protocol; for a request no service claims, as a JSON-protocol error.</summary>
    private static async Task WriteErrorAsync(HttpContext context, IAwsService? service, AwsException error, string requestId)
    {
        if (service is not null)
        {
            await service.WriteErrorAsync(context.Response, error, requestId, context.RequestAborted);
            return;
        }
        await JsonProtocol.WriteErrorAsync(context.Response, error, context.RequestAborted);
    }
}
