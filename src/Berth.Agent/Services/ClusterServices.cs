using Berth.Agent.Client;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Services;

/// <summary>
/// The cluster-wide networking services one agent of each cluster runs on this machine: the service proxy's rules
/// and the cluster DNS, both from the cluster's objects as the agent watches them.
/// Every agent of the cluster joins (<see cref="ProxyLocks"/>) and tries every second to lead; the leader runs them
/// until it stops. The cluster's last agent here to stop removes the cluster's table.
/// </summary>
internal sealed partial class ClusterServices(ApiClient client, AgentOptions options, ServiceProxy proxy, TimeProvider time, ILogger<ClusterServices> logger)
{
    private static readonly TimeSpan s_tryLead = TimeSpan.FromSeconds(1);

    /// <summary>How long a leaving agent waits for the leader lock: agents leaving together take it one after another.</summary>
    private static readonly TimeSpan s_handOver = TimeSpan.FromSeconds(3);

    /// <summary>Serves the cluster of the pod bridge <paramref name="bridge"/> (pods in <paramref name="podCidr"/>) until cancelled.</summary>
    public async Task RunAsync(string podCidr, string bridge, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await ServeAsync(podCidr, bridge, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // the host refused (no nftables, no root): the pods run, their Services are not reached; tried again
                LogFailed(logger, bridge, e);
                await Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken);
            }
        }
    }

    private async Task ServeAsync(string podCidr, string bridge, CancellationToken cancellationToken)
    {
        using var locks = await ProxyLocks.JoinAsync(bridge, cancellationToken);
        try
        {
            while (!locks.TryLead())
            {
                await Task.Delay(s_tryLead, time, cancellationToken);
            }
            LogLeading(logger, bridge);
            await LeadAsync(podCidr, bridge, cancellationToken);
        }
        finally
        {
            // the agent stops: the last of the cluster here (whoever led) takes its rules away; after a failure they
            // stay in place while it tries again
            if (cancellationToken.IsCancellationRequested && await locks.TryLeadAsync(s_handOver, CancellationToken.None) && locks.IsLastLeader())
            {
                await Nftables.DeleteAsync(NftablesRules.TableName(bridge), CancellationToken.None);
                LogRemoved(logger, bridge);
            }
        }
    }

    private async Task LeadAsync(string podCidr, string bridge, CancellationToken cancellationToken)
    {
        var objects = new ClusterObjects(client, time, logger);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watches = objects.RunAsync(stop.Token);
        try
        {
            using var dns = ClusterDnsServer.Start(objects, options.ClusterDomain, logger);
            LogDns(logger, dns.Port);
            await proxy.RunAsync(objects, podCidr, bridge, dns.Port, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await watches;
            }
            catch (OperationCanceledException)
            {
                // the watches end with the leadership
            }
        }
    }

    /// <summary>Removes the cluster's service rules unless an agent of the cluster still runs here (its network went with its last pod).</summary>
    public static async Task RemoveRulesIfLastAsync(string bridge, CancellationToken cancellationToken)
    {
        using var locks = await ProxyLocks.JoinAsync(bridge, cancellationToken);
        if (await locks.TryLeadAsync(s_handOver, cancellationToken) && locks.IsLastLeader())
        {
            await Nftables.DeleteAsync(NftablesRules.TableName(bridge), cancellationToken);
        }
    }

    [LoggerMessage(EventId = 5105, Level = LogLevel.Error, Message = "Could not run the Services of the cluster on bridge {Bridge}; trying again")]
    private static partial void LogFailed(ILogger logger, string bridge, Exception exception);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Information, Message = "The cluster DNS answers on 127.0.0.1:{Port}")]
    private static partial void LogDns(ILogger logger, int port);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "This agent programs the Services of the cluster on bridge {Bridge}")]
    private static partial void LogLeading(ILogger logger, string bridge);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "The last agent of the cluster on bridge {Bridge} removed its service rules")]
    private static partial void LogRemoved(ILogger logger, string bridge);
}
