using Berth.Kube.Api;
using Berth.Kube.Authentication;
using Berth.Kube.Authorization;
using Berth.Kube.Controllers;
using Berth.Kube.Discovery;
using Berth.Kube.Hosting;
using Berth.Kube.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Clusters;

/// <summary>
/// One cluster's control plane inside the server, as a service scope of its own: its resource registry (the built-in
/// kinds and its CRDs), informers, RBAC policy, listers, discovery and OpenAPI documents, the request path's parts and
/// its controllers. Nothing in one cluster's scope sees another's; taking the scope down stops all of it.
/// </summary>
internal sealed partial class ServedCluster : IAsyncDisposable
{
    private static readonly TimeSpan s_restartDelay = TimeSpan.FromSeconds(1);

    private readonly AsyncServiceScope _scope;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public ServedCluster(IServiceScopeFactory scopes, ClusterRecord record, TimeProvider time, ILogger logger)
    {
        _scope = scopes.CreateAsyncScope();
        _time = time;
        _logger = logger;
        var services = _scope.ServiceProvider;
        services.GetRequiredService<ClusterScope>().Record = record;
        Record = record;
        Authenticator = services.GetRequiredService<RequestAuthenticator>();
        Impersonation = services.GetRequiredService<Impersonation>();
        Authorizer = services.GetRequiredService<RbacAuthorizer>();
        Discovery = services.GetRequiredService<DiscoveryEndpoint>();
        OpenApi = services.GetRequiredService<OpenApiEndpoint>();
        Resources = services.GetRequiredService<ResourceHandler>();
        Cloud = services.GetRequiredService<CloudOperations>();
    }

    /// <summary>The record the cluster was started from; its name, uid and admins never change.</summary>
    public ClusterRecord Record { get; }

    public string Name => Record.Name;

    public RequestAuthenticator Authenticator { get; }

    public Impersonation Impersonation { get; }

    public RbacAuthorizer Authorizer { get; }

    public DiscoveryEndpoint Discovery { get; }

    public OpenApiEndpoint OpenApi { get; }

    public ResourceHandler Resources { get; }

    public CloudOperations Cloud { get; }

    /// <summary>Creates what a new cluster starts with, then runs the controllers until <see cref="DisposeAsync"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _scope.ServiceProvider.GetRequiredService<ClusterBootstrap>().EnsureAsync(cancellationToken);
        var controllers = _scope.ServiceProvider.GetServices<IController>().ToList();
        _running = Task.WhenAll(controllers.Select(c => KeepRunningAsync(c, _stop.Token)));
    }

    /// <summary>
    /// Runs one controller beside the others, as kube-controller-manager runs them: one that fails is logged and
    /// started again after a pause, so one fault does not stop the rest.
    /// </summary>
    private async Task KeepRunningAsync(IController controller, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await controller.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogControllerFailed(_logger, e, controller.Name, Name);
            }
            try
            {
                await Task.Delay(s_restartDelay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Stops the controllers and informers, then releases the scope.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        await _scope.DisposeAsync();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Controller {Controller} of cluster {Cluster} failed; restarting it")]
    private static partial void LogControllerFailed(ILogger logger, Exception exception, string controller, string cluster);
}
