using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Authentication;
using Berth.Kube.Resources;
using Berth.Kube.Schema;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

internal sealed partial class ResourceHandler
{
    private static readonly Lazy<TypeSchema> s_tokenRequest = new(() =>
        ClientModelSchemas.Shared.ForKind("authentication.k8s.io", "v1", "TokenRequest")
            ?? throw new InvalidOperationException("No model schema for TokenRequest."));

    /// <summary>
    /// <c>serviceaccounts/{name}/token</c>: a TokenRequest, answered with a signed token for the account
    /// (<c>kubectl create token</c>), valid for the audiences and time asked, an hour by default.
    /// </summary>
    private async Task TokenAsync(HttpContext context, string cluster, ResourceType type, string ns, RequestInfo request)
    {
        if (request.Verb != "create")
        {
            throw KubeApiException.MethodNotSupported("serviceaccounts/token", request.Verb);
        }
        var name = request.Name!;
        var account = await RequireAsync(cluster, type, ns, name, context.RequestAborted);
        var review = await ReadBodyAsync(context, s_tokenRequest.Value, "authentication.k8s.io/v1", "v1", "TokenRequest");
        var spec = review["spec"] as JsonObject ?? (JsonObject)(review["spec"] = new JsonObject());
        var seconds = spec["expirationSeconds"].AsLong() ?? ServiceAccountTokens.DefaultExpirationSeconds;
        if (seconds < ServiceAccountTokens.MinExpirationSeconds || seconds > uint.MaxValue)
        {
            throw KubeApiException.Invalid("TokenRequest", "authentication.k8s.io", name, [FieldError.Invalid("spec.expirationSeconds",
                seconds.ToString(CultureInfo.InvariantCulture),
                seconds < ServiceAccountTokens.MinExpirationSeconds ? "may not specify a duration less than 10 minutes" : "may not specify a duration larger than 2^32 seconds")]);
        }
        var audiences = (spec["audiences"] as JsonArray ?? []).Select(a => a.AsText()).OfType<string>().ToList();
        var (token, expires) = tokens.Issue(cluster, ns, name, account["metadata"]!["uid"]!.GetValue<string>(), audiences, seconds);
        spec["expirationSeconds"] = seconds;
        spec["audiences"] = new JsonArray([.. (audiences.Count > 0 ? audiences : [tokens.IssuerOf(cluster)]).Select(a => (JsonNode)a)]);
        review["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = Timestamp(time.GetUtcNow()) };
        review["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = Timestamp(expires) };
        await KubeResponse.WriteAsync(context, 201, review);
    }
}
