using Berth.Aws.Controllers;
using Berth.Aws.Endpoint;
using Berth.Kube.Clusters;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.Eks;

/// <summary>
/// Moves EKS clusters through their lives by the Kubernetes clusters they drive: CREATING until the control plane's
/// record is served and the creator's access entry is made (ACTIVE), FAILED when the name turned out to be another
/// cluster's; DELETING until the control plane has taken the cluster down, then gone.
/// </summary>
internal sealed class EksClusterController(IStore store, EksClusters clusters, AccessEntries accessEntries, ClusterRecords kubeClusters, TimeProvider time,
    ILogger<EksClusterController> logger) : ReconcilingService(store, time, logger)
{
    protected override IReadOnlyList<string> Prefixes => [EksClusters.RootPrefix, ClusterRecord.Prefix];

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var cluster in await clusters.ListAllAsync(cancellationToken))
        {
            var uid = KubeUid(cluster);
            var kube = await kubeClusters.GetAsync(cluster.Name, cancellationToken);
            switch (cluster.Status)
            {
                case "CREATING" when kube is null:
                    // the record was not written (the server stopped between the two writes): ask for it now
                    await kubeClusters.TryCreateAsync(cluster.Name, ClusterOperations.Admins(cluster), uid, cancellationToken);
                    break;
                case "CREATING" when kube.Uid != uid:
                    await SetStatusAsync(cluster, "FAILED", cancellationToken);
                    break;
                case "CREATING" when kube.Phase == ClusterPhase.Active:
                    await CreateCreatorEntryAsync(cluster, cancellationToken);
                    await SetStatusAsync(cluster, "ACTIVE", cancellationToken);
                    break;
                case "DELETING" when kube is not null && kube.Uid == uid:
                    await kubeClusters.RequestDeletionAsync(cluster.Name, cancellationToken);
                    break;
                case "DELETING":
                    await accessEntries.DeleteAllAsync(cluster, cancellationToken);
                    await clusters.DeleteAsync(cluster, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>The uid of the Kubernetes cluster an EKS cluster drives: its OIDC id, as a GUID.</summary>
    public static string KubeUid(EksCluster cluster) => Guid.ParseExact(cluster.OidcId, "N").ToString();

    /// <summary>
    /// The creator's access entry (cluster admin), which a cluster in an <c>API</c> mode has from its start unless its
    /// request said not to; made once, as the cluster becomes active, and left to the user from then on.
    /// </summary>
    private async Task CreateCreatorEntryAsync(EksCluster cluster, CancellationToken cancellationToken)
    {
        if (ClusterOperations.Admins(cluster).Count == 0 || !AccessEntries.AuthenticationMode(cluster).StartsWith("API", StringComparison.Ordinal))
        {
            return;
        }
        try
        {
            await accessEntries.CreateAsync(cluster, AccessEntryOperations.CreatorEntry(cluster), cancellationToken);
        }
        catch (AwsException e) when (e.Code == "ResourceInUseException")
        {
            // made already: by an earlier pass that stopped before the status, or by the user
        }
    }

    private Task<EksCluster> SetStatusAsync(EksCluster cluster, string status, CancellationToken cancellationToken) =>
        clusters.UpdateAsync(cluster, c => c.Status == cluster.Status ? c with { Status = status } : c, cancellationToken);
}
