using System.Net;
using System.Security.Cryptography.X509Certificates;
using Berth.Agent.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Agent.Server;

/// <summary>
/// The agent's HTTPS endpoint on the node's address, the kubelet's port 10250: container logs, exec, port forwarding and
/// resource usage, for the API server. Only clients with a certificate from the cluster's CA get in, and only to do what the API server's RBAC
/// allows them on the Node (<see cref="RequestAuthorizer"/>).
/// </summary>
internal static class AgentEndpoint
{
    /// <summary>Listens on the node's address with a certificate of its own, asking every client for one from the cluster's CA.</summary>
    public static void Listen(KestrelServerOptions kestrel, AgentOptions options, X509Certificate2 serving, X509Certificate2Collection clusterAuthorities)
    {
        kestrel.Listen(options.Address, options.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1; // streams upgrade an HTTP/1.1 connection
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serving,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (certificate, _, _) => ClusterTrust.IssuedBy(certificate, clusterAuthorities, ClusterTrust.ClientAuthentication),
            });
        });
    }

    public static void Map(WebApplication app)
    {
        app.UseWebSockets();
        app.Use(AnswerErrorsAsync);
        app.Use(AuthorizeAsync);
        app.MapGet("/healthz", () => "ok");
        app.MapGet("/containerLogs/{namespace}/{pod}/{container}", (HttpContext context, string @namespace, string pod, string container, ContainerLogEndpoint logs) =>
            logs.HandleAsync(context, @namespace, pod, container));
        app.MapMethods("/exec/{namespace}/{pod}/{container}", ["GET", "POST"], (HttpContext context, string @namespace, string pod, string container, ExecEndpoint exec) =>
            exec.HandleAsync(context, @namespace, pod, container));
        app.MapGet("/stats/summary", (HttpContext context, Stats.StatsEndpoint stats) => stats.HandleAsync(context));
        app.MapMethods("/portForward/{namespace}/{pod}", ["GET", "POST"], (HttpContext context, string @namespace, string pod, PortForwardEndpoint portForward) =>
            portForward.HandleAsync(context, @namespace, pod));
    }

    /// <summary>The port the endpoint listens on, once the server has started (the one given, or the one taken for 0).</summary>
    public static int BoundPort(IServiceProvider services)
    {
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a => new Uri(a).Port).First();
    }

    /// <summary>
    /// Authorizes every request as the kubelet maps its paths: the verb from the method, the Node's <c>stats</c>
    /// subresource for <c>/stats/…</c>, its <c>proxy</c> subresource for logs, exec and port forwarding.
    /// </summary>
    private static async Task AuthorizeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path != "/healthz")
        {
            var certificate = context.Connection.ClientCertificate ?? throw new AgentRequestException(401, "Unauthorized");
            var (user, groups) = RequestAuthorizer.UserOf(certificate);
            var verb = context.Request.Method switch
            {
                "POST" => "create",
                "PUT" => "update",
                "PATCH" => "patch",
                "DELETE" => "delete",
                _ => "get",
            };
            var authorizer = context.RequestServices.GetRequiredService<RequestAuthorizer>();
            var subresource = context.Request.Path.StartsWithSegments("/stats") ? "stats" : "proxy";
            if (!await authorizer.AllowedAsync(user, groups, verb, subresource, context.RequestAborted))
            {
                throw new AgentRequestException(403, $"Forbidden (user={user}, verb={verb}, resource=nodes, subresource={subresource})");
            }
        }
        await next(context);
    }

    /// <summary>Answers a refused or failed request in the kubelet's way: its status code, and the reason as plain text.</summary>
    private static async Task AnswerErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (AgentRequestException e) when (!context.Response.HasStarted)
        {
            context.Response.StatusCode = e.StatusCode;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(e.Message, context.RequestAborted);
        }
        catch (Runtime.RuntimeException e) when (!context.Response.HasStarted)
        {
            context.Response.StatusCode = (int)HttpStatusCode.InternalServerError;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(e.Message, context.RequestAborted);
        }
    }
}
