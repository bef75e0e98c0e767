using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Endpoint;

/// <summary>
/// The AWS JSON protocol (1.1): the operation named by <c>X-Amz-Target: &lt;prefix&gt;.&lt;Operation&gt;</c>, a JSON object in
/// and out, errors as <c>{"__type": …, "message": …}</c> with HTTP 400 (500 for the service's own faults).
/// </summary>
public static class JsonProtocol
{
    public const string ContentType = "application/x-amz-json-1.1";

    /// <summary>The operation of a request for the service whose target prefix is <paramref name="targetPrefix"/>.</summary>
    public static string Operation(AwsRequest request, string targetPrefix)
    {
        var target = request.Http.Request.Headers["X-Amz-Target"].ToString();
        return target.StartsWith(targetPrefix + ".", StringComparison.Ordinal)
            ? target[(targetPrefix.Length + 1)..]
            : throw new AwsException("UnknownOperationException", target.Length == 0 ? "Missing X-Amz-Target header" : $"Unknown operation {target}");
    }

    /// <summary>The request's JSON object; an empty body is an empty object.</summary>
    public static JsonObject Input(AwsRequest request)
    {
        if (request.Body.IsEmpty)
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(request.Body.Span) as JsonObject
                ?? throw new AwsException("SerializationException", "Start of structure or map found where not expected.");
        }
        catch (JsonException e)
        {
            throw new AwsException("SerializationException", $"The request body is not valid JSON: {e.Message}");
        }
    }

    public static Task WriteResultAsync(HttpResponse response, JsonObject result, CancellationToken cancellationToken) =>
        WriteJsonAsync(response, StatusCodes.Status200OK, ContentType, result, cancellationToken);

    /// <summary>A JSON answer of the JSON protocols, theirs and REST-JSON's.</summary>
    internal static async Task WriteJsonAsync(HttpResponse response, int status, string contentType, JsonObject body, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        await using var writer = new Utf8JsonWriter(response.Body);
        body.WriteTo(writer);
        await writer.FlushAsync(cancellationToken);
    }

    public static async Task WriteErrorAsync(HttpResponse response, AwsException failure, CancellationToken cancellationToken)
    {
        response.StatusCode = failure.Status;
        response.ContentType = ContentType;
        response.Headers["x-amzn-ErrorType"] = failure.Code;
        await JsonSerializer.SerializeAsync(response.Body, new AwsErrorBody(failure.Code, failure.Message), EndpointJson.Default.AwsErrorBody, cancellationToken);
    }
}
