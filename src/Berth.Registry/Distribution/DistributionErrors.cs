using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Berth.Registry.Distribution;

/// <summary>The distribution spec's error body: <c>{"errors": [{"code", "message", "detail"}]}</c>.</summary>
public static class DistributionErrors
{
    public static async Task WriteAsync(HttpResponse response, int status, string code, string message, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await System.Text.Json.JsonSerializer.SerializeAsync(response.Body, new ErrorList([new Error(code, message, null)]), DistributionJson.Default.ErrorList, cancellationToken);
    }

    internal sealed record ErrorList([property: JsonPropertyName("errors")] IReadOnlyList<Error> Errors);

    internal sealed record Error(
        [property: JsonPropertyName("code")] string Code,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("detail")] string? Detail);
}

[JsonSerializable(typeof(DistributionErrors.ErrorList))]
[JsonSerializable(typeof(TagList))]
[JsonSerializable(typeof(TokenAnswer))]
[JsonSerializable(typeof(ReferrerIndex))]
internal sealed partial class DistributionJson : JsonSerializerContext;
