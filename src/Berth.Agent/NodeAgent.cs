using Berth.Agent.Client;
using Berth.Agent.Node;
using Berth.Agent.Pods;
using Berth.Agent.Runtime;
using Berth.Agent.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Agent;

/// <summary>
/// The <c>berth agent</c> process, Berth's kubelet: registers its Node, keeps its Lease, reports its status, and
/// runs the pods bound to it, all through the cluster's Kubernetes API as a remote kubelet would.
/// </summary>
internal sealed partial class NodeAgent(ApiClient client, AgentOptions options, IContainerRuntime runtime, Network.PodNetwork network, PodSync pods,
    Services.ClusterServices clusterServices, TimeProvider time,
    IHostApplicationLifetime lifetime, IServiceProvider services, ILoggerFactory loggers)
    : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<NodeAgent>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // the Node names the port of the agent's endpoint, known once it listens
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        var endpoint = options with { Port = AgentEndpoint.BoundPort(services) };
        var health = new RuntimeHealth(runtime, time);
        await RetryAsync(async ct =>
        {
            await EnsureRuntimeAsync(ct);
            await runtime.ConnectAsync(ct);
            await health.CheckAsync(ct);
            return true;
        }, stoppingToken);
        var registration = new NodeRegistration(client, endpoint, runtime, health, time);
        var node = await RetryAsync(registration.RegisterAsync, stoppingToken);
        LogRegistered(_logger, options.NodeName, runtime.Version);
        var lease = new NodeLease(client, options, time);
        await Task.WhenAll(
            ConfigureNetworkAsync(stoppingToken),
            pods.RunAsync(stoppingToken),
            RepeatAsync(async ct =>
            {
                await EnsureRuntimeAsync(ct);
                await health.CheckAsync(ct);
            }, TimeSpan.FromSeconds(5), stoppingToken),
            RepeatAsync(ct => lease.RenewAsync(node, ct), NodeLease.RenewInterval, stoppingToken),
            RepeatAsync(registration.SyncStatusAsync, NodeRegistration.CheckInterval, stoppingToken));
    }

    /// <summary>
    /// Waits for the control plane to give the Node its pod CIDR (within moments of registering; later when the cluster's
    /// ranges were all taken and one is freed), then makes the pod network. Pods wait for it before their sandboxes.
    /// Then, on a real runtime, takes part in running the cluster's Services on this machine (a simulated node's pods
    /// have addresses nothing answers on).
    /// </summary>
    private async Task ConfigureNetworkAsync(CancellationToken cancellationToken)
    {
        var asked = 0;
        Runtime.PodNetworkSpec spec;
        while (true)
        {
            try
            {
                var node = await client.ReadAsync(ApiResources.Nodes, null, options.NodeName, cancellationToken);
                if (node.Spec?.PodCIDR is { Length: > 0 } cidr)
                {
                    await network.ConfigureAsync(cidr, cancellationToken);
                    spec = Network.PodNetwork.SpecFor(cidr);
                    LogNetwork(_logger, cidr, spec.Name);
                    break;
                }
                if (++asked == 50)
                {
                    LogNoPodCidr(_logger, options.NodeName);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or RuntimeException or ApiException)
            {
                LogServerUnreachable(_logger, e);
            }
            await Task.Delay(asked < 50 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(5), time, cancellationToken);
        }
        if (options.Runtime != "simulated")
        {
            await clusterServices.RunAsync(spec.Subnet, spec.Bridge, cancellationToken);
        }
    }

    /// <summary>Starts the Podman service the agent keeps, when it does not answer (first start, or it stopped underneath).</summary>
    private Task EnsureRuntimeAsync(CancellationToken cancellationToken) =>
        options.ManagedPodmanDirectory is { } directory ? PodmanService.EnsureAsync(directory, _logger, cancellationToken) : Task.CompletedTask;

    /// <summary>Runs <paramref name="work"/> now and then every <paramref name="interval"/>; a failure is logged and tried again next time.</summary>
    private async Task RepeatAsync(Func<CancellationToken, Task> work, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await work(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // whatever failed (the server away, a client timeout, the runtime down), the loop goes on: a
                // heartbeat that stopped for good would mark the node lost while its pods run
                LogHeartbeatFailed(_logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    /// <summary>Until the server answers: an agent may start before the server it joins.</summary>
    private async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await work(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or RuntimeException)
            {
                LogServerUnreachable(_logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Node {Node} registered; runtime {Runtime}")]
    private static partial void LogRegistered(ILogger logger, string node, string runtime);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Pods take addresses of {PodCidr} on network {Network}")]
    private static partial void LogNetwork(ILogger logger, string podCidr, string network);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Node {Node} has no pod CIDR yet; its pods wait for one")]
    private static partial void LogNoPodCidr(ILogger logger, string node);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Could not renew the node's lease or status, or reach the runtime; trying again")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "The Kubernetes API or the container runtime is unreachable; trying again")]
    private static partial void LogServerUnreachable(ILogger logger, Exception exception);
}
