using Berth.Agent.Runtime;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Services;

/// <summary>
/// The kube-proxy role for one cluster: from its Services, EndpointSlices and Nodes, keeps the cluster's
/// nftables table (<see cref="NftablesRules"/>) in step, rewriting it when what it renders changes, and every
/// minute in any case (so a table someone flushed comes back). Bursts of changes are coalesced into one write.
/// </summary>
internal sealed partial class ServiceProxy(TimeProvider time, ILogger<ServiceProxy> logger)
{
    private static readonly TimeSpan s_resync = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_coalesce = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Programs the cluster of <paramref name="podCidr"/> from <paramref name="objects"/> until cancelled; the table
    /// stays in place after. <paramref name="dnsPort"/> is where the cluster DNS listens on loopback.
    /// </summary>
    public async Task RunAsync(ClusterObjects objects, string podCidr, string bridge, int? dnsPort, CancellationToken cancellationToken)
    {
        await Network.HostBridge.EnableBridgeNetfilterAsync(cancellationToken);
        var table = NftablesRules.TableName(bridge);
        string? applied = null;
        var appliedAt = DateTimeOffset.MinValue;
        while (true)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(s_resync);
                try
                {
                    await objects.Changed.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // the resync is due
                }
            }
            await Task.Delay(s_coalesce, time, cancellationToken);
            objects.Changed.TryRead(out _);
            if (!objects.Synced)
            {
                continue;
            }
            var rendered = NftablesRules.Render(ProxyStateBuilder.Build(podCidr, bridge, objects.Services, objects.Slices, objects.Nodes, dnsPort));
            if (rendered.Declaration == applied && time.GetUtcNow() - appliedAt < s_resync)
            {
                continue;
            }
            try
            {
                await Nftables.ApplyAsync(table, rendered, cancellationToken);
                (applied, appliedAt) = (rendered.Declaration, time.GetUtcNow());
                LogApplied(logger, table, rendered.Chains.Count);
            }
            catch (RuntimeException e)
            {
                LogApplyFailed(logger, table, e.Message);
                applied = null;
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                objects.Signal();
            }
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Service rules written to table {Table} ({Chains} chains)")]
    private static partial void LogApplied(ILogger logger, string table, int chains);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Could not write the service rules of table {Table}: {Problem}")]
    private static partial void LogApplyFailed(ILogger logger, string table, string problem);
}
