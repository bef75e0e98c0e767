using Berth.Aws.Controllers;
using Berth.Kube.Clusters;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.Ec2;

/// <summary>
/// Runs instances through their states with the instance provider: a pending instance is booted and running; a running
/// one whose machine stopped is marked impaired (its Auto Scaling group replaces it), and one not started since the
/// server started is booted again; a shutting-down one is ended, its Node deleted from its cluster as
/// cloud-controller-manager deletes the Nodes of gone machines, its address freed, and it is terminated. Terminated
/// instances stay visible for an hour, as in EC2.
/// </summary>
internal sealed partial class InstanceController(IStore store, Ec2Instances instances, IInstanceProvider provider, ClusterControl nodes, TimeProvider time,
    ILogger<InstanceController> logger) : ReconcilingService(store, time, logger)
{
    private static readonly TimeSpan s_terminatedVisible = TimeSpan.FromHours(1);

    protected override IReadOnlyList<string> Prefixes => [Ec2Instances.RootPrefix];

    /// <summary>Often enough to notice a machine that stopped, which the store does not announce.</summary>
    protected override TimeSpan ResyncPeriod => TimeSpan.FromSeconds(2);

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var all = await instances.ListAllAsync(cancellationToken);
        await Parallel.ForEachAsync(all, cancellationToken, async (instance, ct) =>
        {
            try
            {
                await ReconcileAsync(instance, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogInstanceFailed(logger, e, instance.InstanceId);
            }
        });
    }

    private async Task ReconcileAsync(Ec2Instance instance, CancellationToken cancellationToken)
    {
        switch (instance.State)
        {
            case "pending":
                await provider.StartAsync(instance, cancellationToken);
                await instances.UpdateAsync(instance, i => i.State == "pending" ? i with { State = "running" } : i, cancellationToken);
                break;
            case "running" when instance.Status == "ok":
                switch (provider.IsRunning(instance))
                {
                    case null:
                        await provider.StartAsync(instance, cancellationToken); // the server started again: so does the machine
                        break;
                    case false:
                        LogImpaired(logger, instance.InstanceId);
                        await instances.UpdateAsync(instance, i => i with { Status = "impaired" }, cancellationToken);
                        break;
                }
                break;
            case "shutting-down":
                await provider.TerminateAsync(instance, cancellationToken);
                if (instance.Node is { } node)
                {
                    await nodes.DeleteAsync(node.Cluster, instance.NodeName, cancellationToken);
                }
                await instances.ReleaseAddressAsync(instance, cancellationToken);
                await instances.UpdateAsync(instance, i => i with { State = "terminated", TerminatedAt = Time.GetUtcNow() }, cancellationToken);
                break;
            case "terminated" when Time.GetUtcNow() - instance.TerminatedAt > s_terminatedVisible:
                await instances.DeleteAsync(instance, cancellationToken);
                break;
        }
    }

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Instance {InstanceId} stopped running: marked impaired")]
    private static partial void LogImpaired(ILogger logger, string instanceId);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Error, Message = "Reconciling instance {InstanceId} failed; trying again")]
    private static partial void LogInstanceFailed(ILogger logger, Exception exception, string instanceId);
}
