using Berth.Kube.Controllers;
using Berth.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Clusters;

/// <summary>
/// Serves the clusters the store's records ask for. A new record gets its control plane (<see cref="ServedCluster"/>)
/// started and bootstrapped, then is marked <see cref="ClusterPhase.Active"/>; a record marked
/// <see cref="ClusterPhase.Deleting"/> has its control plane stopped and every key of the cluster deleted, then the
/// record itself. The default cluster's record is made at first start.
/// </summary>
internal sealed partial class ClusterHost(
    IStore store,
    ServedClusters served,
    ClusterRecords records,
    PodCidrs podCidrs,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<ClusterHost>();
    private readonly WorkQueue<string> _queue = new(time);

    /// <summary>
    /// Serves the clusters that exist before the server reports itself started (and writes its kubeconfig), so that
    /// no client of a cluster that was there before a restart is told it does not exist.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await records.TryCreateAsync(KubeApiOptions.DefaultCluster, [], null, cancellationToken);
        foreach (var record in await records.ListAsync(cancellationToken))
        {
            if (record.Phase != ClusterPhase.Deleting)
            {
                await ServeAsync(record, cancellationToken);
            }
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var informers = new SharedInformers(store, time, loggers.CreateLogger<SharedInformers>());
        var informer = informers.WatchUnshared(ClusterRecord.Prefix, change => _queue.Add(change.Key));
        try
        {
            await ControllerLoop.RunAsync("cluster-host", informer, _queue, (key, ct) => ReconcileAsync(informer, key, ct), _logger, stoppingToken);
        }
        finally
        {
            foreach (var cluster in served.All)
            {
                served.Remove(cluster.Name);
                await cluster.DisposeAsync();
            }
        }
    }

    private async Task ReconcileAsync(ObjectInformer informer, string key, CancellationToken cancellationToken)
    {
        var name = key[ClusterRecord.Prefix.Length..];
        var record = informer.Get(key) is { } json ? ClusterRecord.FromJson(json) : null;
        if (served.Find(name) is { } running && (record is null || record.Phase == ClusterPhase.Deleting || record.Uid != running.Record.Uid))
        {
            served.Remove(name);
            await running.DisposeAsync();
            LogStopped(_logger, name);
        }
        if (record is null)
        {
            return;
        }
        if (record.Phase == ClusterPhase.Deleting)
        {
            await DeleteDataAsync(name, cancellationToken);
            await podCidrs.ReleaseAsync(record.Uid, cancellationToken);
            await store.DeleteAsync(key, cancellationToken: cancellationToken);
            LogDeleted(_logger, name);
            return;
        }
        if (served.Find(name) is null)
        {
            await ServeAsync(record, cancellationToken);
        }
        if (record.Phase == ClusterPhase.Provisioning)
        {
            await records.ChangeAsync(name, r => r.Uid == record.Uid && r.Phase == ClusterPhase.Provisioning ? r with { Phase = ClusterPhase.Active } : null,
                cancellationToken);
        }
    }

    private async Task ServeAsync(ClusterRecord record, CancellationToken cancellationToken)
    {
        if (record.PodCidr is null)
        {
            // a record from before clusters had pod CIDRs
            var cidr = await podCidrs.AllocateAsync(record.Uid, cancellationToken);
            await records.ChangeAsync(record.Name, r => r.Uid == record.Uid && r.PodCidr is null ? r with { PodCidr = cidr } : null, cancellationToken);
            record = record with { PodCidr = cidr };
        }
        var cluster = new ServedCluster(scopes, record, time, _logger);
        try
        {
            await cluster.StartAsync(cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        served.Add(cluster);
        LogServing(_logger, record.Name);
    }

    /// <summary>Deletes every object and allocation of the cluster, page by page.</summary>
    private async Task DeleteDataAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var prefix in new[] { $"/k8s/{name}/", $"/allocations/{name}/" })
        {
            while (true)
            {
                var page = await store.ListAsync(prefix, new ListOptions(Limit: 500), cancellationToken);
                if (page.Items.Count == 0)
                {
                    break;
                }
                foreach (var entry in page.Items)
                {
                    try
                    {
                        await store.DeleteAsync(entry.Key, cancellationToken: cancellationToken);
                    }
                    catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
                    {
                        // deleted meanwhile
                    }
                }
            }
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Serving cluster {Cluster}")]
    private static partial void LogServing(ILogger logger, string cluster);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Stopped serving cluster {Cluster}")]
    private static partial void LogStopped(ILogger logger, string cluster);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Deleted cluster {Cluster} and its objects")]
    private static partial void LogDeleted(ILogger logger, string cluster);
}
