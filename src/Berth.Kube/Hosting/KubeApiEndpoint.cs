using Berth.Kube.Api;
using Berth.Kube.Authentication;
using Berth.Kube.Authorization;
using Berth.Kube.Clusters;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Hosting;

/// <summary>
/// Serves <c>/clusters/{cluster}/…</c>: authenticates, then answers discovery or hands resource requests to
/// the generic handler. Every failure becomes a Kubernetes Status; nothing escapes as a bare 500.
/// </summary>
internal sealed partial class KubeApiEndpoint(ServedClusters clusters, ServiceAccountTokens tokens, IHostApplicationLifetime lifetime, ILogger<KubeApiEndpoint> logger)
{
    public const string PathBase = "/clusters";

    public async Task HandleAsync(HttpContext context)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // a HEAD is answered as its GET would be, without the body (which HTTP/2 refuses outright)
            context.Response.Body = Stream.Null;
        }
        try
        {
            var path = context.Request.Path.Value ?? "";
            var (name, rest) = SplitCluster(path);
            var cluster = clusters.Find(name) ?? throw KubeApiException.NotFound("clusters", name);
            if (rest is "/.well-known/openid-configuration" or "/openid/v1/jwks")
            {
                // the cluster's OIDC issuer, public as an EKS cluster's is, so relying parties need no credentials
                await KubeResponse.WriteAsync(context, 200, rest == "/openid/v1/jwks" ? tokens.KeySet() : tokens.DiscoveryDocument(name));
                return;
            }
            var user = await cluster.Authenticator.AuthenticateAsync(context, name) ?? throw new KubeApiException(401, "Unauthorized", "Unauthorized");
            user = await cluster.Impersonation.ApplyAsync(context, user);
            KubeUserFeature.Set(context, user);
            var request = RequestInfo.Parse(context.Request.Method, rest, QueryFlag.Parse(context.Request.Query["watch"]) == true);
            // a watch or a stream would hold the server's stop for its whole timeout: it is ended as the server stops
            using var stopping = request?.IsLongRunning == true ? lifetime.ApplicationStopping.Register(context.Abort) : default;
            await AuthorizeAsync(cluster.Authorizer, request is null ? AccessRequest.ForPath(user, context.Request.Method, rest) : AccessRequest.ForResource(user, request),
                context.RequestAborted);
            if (rest is "/healthz" or "/livez" or "/readyz")
            {
                await Results.Text("ok").ExecuteAsync(context);
                return;
            }
            if (await cluster.OpenApi.TryServeAsync(context, rest))
            {
                return;
            }
            if (await cluster.Discovery.TryServeAsync(context, rest))
            {
                return;
            }
            await cluster.Resources.HandleAsync(context, name, request ?? throw KubeApiException.UnknownResource());
        }
        catch (KubeApiException e) when (!context.Response.HasStarted)
        {
            await KubeResponse.WriteErrorAsync(context, e);
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            LogInternalError(logger, e, context.Request.Method, context.Request.Path);
            await KubeResponse.WriteErrorAsync(context, new KubeApiException(500, "InternalError", $"Internal error occurred: {e.Message}"));
        }
    }

    private static async Task AuthorizeAsync(RbacAuthorizer authorizer, AccessRequest request, CancellationToken cancellationToken)
    {
        if (!(await authorizer.AuthorizeAsync(request, cancellationToken)).Allowed)
        {
            throw request.Forbidden();
        }
    }

    /// <summary>Splits <c>/{cluster}/rest</c> (the path below <see cref="PathBase"/>) into the cluster and the rest.</summary>
    private static (string Cluster, string Remainder) SplitCluster(string path)
    {
        var trimmed = path.TrimStart('/');
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (trimmed, "/") : (trimmed[..slash], trimmed[slash..]);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Kubernetes API request {Method} {Path} failed")]
    private static partial void LogInternalError(ILogger logger, Exception exception, string method, string path);
}
