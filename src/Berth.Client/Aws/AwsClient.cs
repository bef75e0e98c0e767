using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Berth.Aws.Auth;

namespace Berth.Client.Aws;

/// <summary>
/// Requests to AWS APIs signed with Signature Version 4, in the two protocols the cluster commands need: REST-JSON
/// (EKS) and Query (Auto Scaling, EC2, IAM, STS). Errors come back as <see cref="AwsApiException"/> with the service's
/// code and message; a server that cannot be reached as <see cref="AwsUnreachableException"/>.
/// </summary>
public sealed class AwsClient(HttpClient http, AwsOptions options, TimeProvider time)
{
    /// <summary>The settings requests to <paramref name="service"/> are made with.</summary>
    public AwsSettings Settings(string service) => AwsSettings.Resolve(options, service);

    public async Task<JsonObject> RestJsonAsync(string service, HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        var settings = Settings(service);
        var (rawPath, rawQuery) = path.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? (path[..q], path[(q + 1)..]) : (path, "");
        var content = body is null ? [] : Encoding.UTF8.GetBytes(body.ToJsonString());
        using var request = new HttpRequestMessage(method, new Uri(settings.Endpoint, path));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(content);
            request.Content.Headers.ContentType = new("application/json");
        }
        using var response = await SendAsync(request, settings, service, rawPath, rawQuery, content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw JsonError(response, text);
        }
        return text.Length == 0 ? [] : JsonNode.Parse(text) as JsonObject ?? [];
    }

    /// <summary>A Query action; answers the element <c>&lt;Action&gt;Result</c> (or the whole document for EC2's flavour).</summary>
    public async Task<XElement> QueryAsync(string service, string version, string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var settings = Settings(service);
        var form = new StringBuilder($"Action={Uri.EscapeDataString(action)}&Version={Uri.EscapeDataString(version)}");
        foreach (var (name, value) in parameters)
        {
            form.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        var content = Encoding.UTF8.GetBytes(form.ToString());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.Endpoint, "/")) { Content = new ByteArrayContent(content) };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        using var response = await SendAsync(request, settings, service, "/", "", content, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var document = ParseXml(text, response);
        if (!response.IsSuccessStatusCode)
        {
            var error = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            throw new AwsApiException(Child(error, "Code") ?? response.StatusCode.ToString(), Child(error, "Message") ?? text, response.StatusCode);
        }
        return document.Root!.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result") ?? document.Root!;
    }

    /// <summary>The text of the first descendant of <paramref name="element"/> with the local name given.</summary>
    public static string? Child(XElement? element, string name) => element?.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, AwsSettings settings, string service, string rawPath, string rawQuery,
        byte[] content, CancellationToken cancellationToken)
    {
        var date = SigV4.FormatDate(time.GetUtcNow());
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(content));
        var host = settings.Endpoint.IsDefaultPort ? settings.Endpoint.Host : settings.Endpoint.Authority;
        var headers = new List<KeyValuePair<string, IReadOnlyList<string>>>
        {
            new("host", [host]),
            new("x-amz-content-sha256", [payloadHash]),
            new("x-amz-date", [date]),
        };
        if (settings.Credentials.SessionToken is { } sessionToken)
        {
            headers.Add(new("x-amz-security-token", [sessionToken]));
        }
        var signedHeaders = headers.Select(h => h.Key).Order(StringComparer.Ordinal).ToList();
        var canonical = SigV4.CanonicalRequest(new SignedRequest
        {
            Method = request.Method.Method,
            RawPath = rawPath,
            RawQuery = rawQuery,
            Headers = headers,
            PayloadHash = payloadHash,
        }, signedHeaders);
        var scope = $"{date[..8]}/{settings.Region}/{service}/aws4_request";
        var signature = SigV4.Signature(SigV4.SigningKey(settings.Credentials.SecretAccessKey, date[..8], settings.Region, service),
            SigV4.StringToSign(date, scope, canonical));
        foreach (var (name, values) in headers.Where(h => h.Key != "host"))
        {
            request.Headers.TryAddWithoutValidation(name, values);
        }
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4.Algorithm} Credential={settings.Credentials.AccessKeyId}/{scope}, SignedHeaders={string.Join(';', signedHeaders)}, Signature={signature}");
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new AwsUnreachableException(settings.Endpoint, e.InnerException?.Message ?? e.Message);
        }
    }

    private static AwsApiException JsonError(HttpResponseMessage response, string text)
    {
        string? code = response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.First() : null;
        string? message = null;
        try
        {
            if (JsonNode.Parse(text) is JsonObject error)
            {
                code ??= (error["__type"] ?? error["code"] ?? error["Code"])?.GetValue<string>();
                message = (error["message"] ?? error["Message"])?.GetValue<string>();
            }
        }
        catch (JsonException)
        {
            message = text; // not JSON: whatever the server said is the best account there is
        }
        code = code?.Split(':')[0].Split('#')[^1];
        return new AwsApiException(code ?? response.StatusCode.ToString(), message ?? response.ReasonPhrase ?? "", response.StatusCode);
    }

    private static XDocument ParseXml(string text, HttpResponseMessage response)
    {
        try
        {
            return XDocument.Parse(text);
        }
        catch (System.Xml.XmlException)
        {
            throw new AwsApiException(response.StatusCode.ToString(), $"the endpoint answered {(int)response.StatusCode} with no AWS response: {Truncate(text)}", response.StatusCode);
        }
    }

    private static string Truncate(string text) => text.Length > 200 ? text[..200] + "…" : text;
}

/// <summary>An AWS API refused a request: the service's error code and message.</summary>
public sealed class AwsApiException(string code, string message, HttpStatusCode status) : Exception(message)
{
    public string Code { get; } = code;

    public HttpStatusCode Status { get; } = status;
}

/// <summary>Nothing answers at the endpoint.</summary>
public sealed class AwsUnreachableException(Uri endpoint, string reason)
    : Exception($"cannot reach the AWS endpoint {endpoint} ({reason}): start Berth with berth up, or pass --endpoint-url")
{
    public Uri Endpoint { get; } = endpoint;
}
