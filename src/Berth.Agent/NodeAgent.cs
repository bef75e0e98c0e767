using Berth.Agent.Node;
using Berth.Agent.Pods;
using Berth.Agent.Runtime;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Agent;

/// <summary>
/// The <c>berth agent</c> process, Berth's kubelet: registers its Node, keeps its Lease, reports its status, and
/// runs the pods bound to it, all through the cluster's Kubernetes API as a remote kubelet would.
/// </summary>
public sealed partial class NodeAgent(IKubernetes client, AgentOptions options, IContainerRuntime runtime, TimeProvider time, ILoggerFactory loggers)
    : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<NodeAgent>();

    /// <summary>Runs an agent until <paramref name="cancellationToken"/> stops it.</summary>
    public static async Task RunAsync(AgentOptions options, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            console.UseUtcTimestamp = true;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IKubernetes>(_ => new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeconfigPath)));
        builder.Services.AddSingleton<IContainerRuntime>(services => options.Runtime switch
        {
            "simulated" => ActivatorUtilities.CreateInstance<SimulatedRuntime>(services),
            _ => throw new ArgumentException($"unknown runtime \"{options.Runtime}\"; the runtimes are: simulated"),
        });
        builder.Services.AddHostedService<NodeAgent>();
        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registration = new NodeRegistration(client, options, runtime, time);
        var node = await RetryAsync(registration.RegisterAsync, stoppingToken);
        LogRegistered(_logger, options.NodeName, runtime.Version);
        var lease = new NodeLease(client, options, time);
        var pods = new PodSync(client, options, runtime, time, loggers.CreateLogger<PodSync>());
        await Task.WhenAll(
            pods.RunAsync(stoppingToken),
            RepeatAsync(ct => lease.RenewAsync(node, ct), NodeLease.RenewInterval, stoppingToken),
            RepeatAsync(registration.SyncStatusAsync, NodeRegistration.CheckInterval, stoppingToken));
    }

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
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
            {
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
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                LogServerUnreachable(_logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Node {Node} registered; runtime {Runtime}")]
    private static partial void LogRegistered(ILogger logger, string node, string runtime);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Could not renew the node's lease or status; trying again")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "The Kubernetes API is unreachable; trying again")]
    private static partial void LogServerUnreachable(ILogger logger, Exception exception);
}
