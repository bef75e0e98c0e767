using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Aws.Auth;

namespace Berth.Bench.Eks;

/// <summary>EKS's REST-JSON API over HTTP, signed with the server's root key as any SDK signs it.</summary>
internal sealed class EksClient(Uri endpoint, string accessKeyId, string secret) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint };

    public static EksClient ForServer(ServerProcess server)
    {
        var lines = File.ReadAllLines(Path.Combine(server.DataDirectory, "aws-credentials"));
        string Value(string name) => lines.Single(l => l.StartsWith(name, StringComparison.Ordinal)).Split('=', 2)[1].Trim();
        return new EksClient(server.AwsAddress, Value("aws_access_key_id"), Value("aws_secret_access_key"));
    }

    /// <summary>Sends one request; returns the status and the JSON answer.</summary>
    public async Task<(int Status, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonObject? body = null)
    {
        var payload = body is null ? [] : Encoding.UTF8.GetBytes(body.ToJsonString());
        var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
        var date = SigV4.FormatDate(DateTimeOffset.UtcNow);
        var host = $"{endpoint.Host}:{endpoint.Port}";
        var headers = new List<KeyValuePair<string, IReadOnlyList<string>>>
        {
            new("host", [host]),
            new("x-amz-content-sha256", [hash]),
            new("x-amz-date", [date]),
        };
        var signed = headers.Select(h => h.Key).ToList();
        var canonical = SigV4.CanonicalRequest(new SignedRequest { Method = method.Method, RawPath = path, Headers = headers, PayloadHash = hash }, signed);
        var scope = $"{date[..8]}/us-east-1/eks/aws4_request";
        var signature = SigV4.Signature(SigV4.SigningKey(secret, date[..8], "us-east-1", "eks"), SigV4.StringToSign(date, scope, canonical));
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("x-amz-date", date);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", hash);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', signed)}, Signature={signature}");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject());
    }

    public async Task<JsonObject> SucceedAsync(HttpMethod method, string path, JsonObject? body = null)
    {
        var (status, answer) = await SendAsync(method, path, body);
        return status is >= 200 and < 300 ? answer : throw new InvalidOperationException($"{method} {path}: {status} {answer.ToJsonString()}");
    }

    public void Dispose() => _http.Dispose();
}
