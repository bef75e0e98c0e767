using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Berth.Aws.Endpoint;

/// <summary>
/// The AWS REST-JSON protocol (EKS's): the operation named by the method and the path, whose labels
/// (<c>/clusters/{name}</c>) are input members as the query's parameters are, beside the JSON body's; results as JSON
/// with the operation's status; errors as <c>x-amzn-ErrorType</c> and <c>{"message": …}</c> with the error's status.
/// </summary>
public static class RestJsonProtocol
{
    public const string ContentType = "application/json";

    /// <summary>One operation's route: a method and a path template of literal segments and <c>{label}</c>s.</summary>
    public sealed record Route(string Method, string Template, string Operation)
    {
        internal string[] Segments { get; } = Template.Trim('/').Split('/');
    }

    /// <summary>The operation the request's method and path name, and the path's labels, URI-decoded.</summary>
    public static (string Operation, Dictionary<string, string> Labels) Match(IEnumerable<Route> routes, HttpRequest request)
    {
        var segments = (request.Path.Value ?? "").Trim('/').Split('/');
        foreach (var route in routes)
        {
            if (!string.Equals(route.Method, request.Method, StringComparison.OrdinalIgnoreCase) || route.Segments.Length != segments.Length)
            {
                continue;
            }
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var matched = true;
            for (var i = 0; i < segments.Length && matched; i++)
            {
                var part = route.Segments[i];
                if (part.StartsWith('{') && part.EndsWith('}'))
                {
                    var value = Uri.UnescapeDataString(segments[i]);
                    matched = value.Length > 0;
                    labels[part[1..^1]] = value;
                }
                else
                {
                    matched = part == segments[i];
                }
            }
            if (matched)
            {
                return (route.Operation, labels);
            }
        }
        throw new AwsException("UnknownOperationException", $"No operation is served at {request.Method} {request.Path}", 404);
    }

    /// <summary>The input: the JSON body's members, then the query's parameters, then the path's labels.</summary>
    public static JsonObject Input(AwsRequest request, IReadOnlyDictionary<string, string> labels)
    {
        var input = JsonProtocol.Input(request);
        foreach (var (name, values) in request.Http.Request.Query)
        {
            input[name] = values.Count == 1 ? values[0] : new JsonArray(values.Select(v => (JsonNode?)v).ToArray());
        }
        foreach (var (name, value) in labels)
        {
            input[name] = value;
        }
        return input;
    }

    public static Task WriteResultAsync(HttpResponse response, JsonObject result, CancellationToken cancellationToken, int status = StatusCodes.Status200OK) =>
        JsonProtocol.WriteJsonAsync(response, status, ContentType, result, cancellationToken);

    public static async Task WriteErrorAsync(HttpResponse response, AwsException failure, CancellationToken cancellationToken)
    {
        response.StatusCode = failure.Status;
        response.ContentType = ContentType;
        response.Headers["x-amzn-ErrorType"] = failure.Code;
        await WriteResultAsync(response, new JsonObject { ["message"] = failure.Message }, cancellationToken, failure.Status);
    }
}
