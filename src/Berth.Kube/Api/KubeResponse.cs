using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>Writes JSON answers the way the API server does.</summary>
internal static class KubeResponse
{
    /// <summary>Quotes escaped as <c>\"</c>, not <c>\u0022</c>, as Go's encoder writes them: messages read as they do from Kubernetes.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The same escaping, for bodies serialized whole (watch events).</summary>
    public static readonly JsonSerializerOptions SerializerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions);
        body.WriteTo(writer);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>Adds a <c>Warning</c> header, which kubectl prints as "Warning: …" (RFC 7234 code 299, no agent).</summary>
    public static void AddWarning(HttpContext context, string text) =>
        context.Response.Headers.Append("Warning", $"299 - \"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");

    public static Task WriteErrorAsync(HttpContext context, KubeApiException error) =>
        WriteAsync(context, error.Code, StatusResponse.Failure(error.Code, error.Reason, error.Message, error.Details));

    /// <summary>True when the client asked for server-side printing (<c>as=Table</c>), as <c>kubectl get</c> does.</summary>
    public static bool WantsTable(HttpContext context) =>
        context.Request.Headers.Accept.Any(a => a is not null && a.Contains("as=Table", StringComparison.Ordinal));
}
