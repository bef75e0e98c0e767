using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Store;

namespace Berth.Kube.Clusters;

/// <summary>
/// Which cluster holds which /16 of the pod pool: a key per /16 (<c>/pod-cidrs/&lt;index&gt;</c>) made with a create,
/// which the store lets only one writer make, holding the uid of the cluster that has it. Clusters of the same name made
/// one after another are told apart by their uids.
/// </summary>
public sealed class PodCidrs(IStore store)
{
    public const string Prefix = "/pod-cidrs/";

    /// <summary>The pod CIDR the cluster of <paramref name="uid"/> holds, taken now when it holds none.</summary>
    public async Task<string> AllocateAsync(string uid, CancellationToken cancellationToken)
    {
        if (await FindAsync(uid, cancellationToken) is { } held)
        {
            return ClusterNetwork.ClusterPodCidr(held);
        }
        for (var index = 0; index < ClusterNetwork.PodCidrCount; index++)
        {
            try
            {
                await store.CreateAsync(Key(index), JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["uid"] = uid }), cancellationToken);
                return ClusterNetwork.ClusterPodCidr(index);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
            {
                // another cluster's
            }
        }
        throw new InvalidOperationException($"All {ClusterNetwork.PodCidrCount} pod CIDRs of the pool are taken: delete a cluster first.");
    }

    /// <summary>Frees what the cluster of <paramref name="uid"/> holds.</summary>
    public async Task ReleaseAsync(string uid, CancellationToken cancellationToken)
    {
        if (await FindAsync(uid, cancellationToken) is { } held)
        {
            try
            {
                await store.DeleteAsync(Key(held), cancellationToken: cancellationToken);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
            {
                // released meanwhile
            }
        }
    }

    private async Task<int?> FindAsync(string uid, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(Prefix, new ListOptions(Limit: ClusterNetwork.PodCidrCount), cancellationToken);
        return page.Items.Where(e => JsonNode.Parse(e.Value.Span)?["uid"]?.GetValue<string>() == uid)
            .Select(e => (int?)int.Parse(e.Key[Prefix.Length..], CultureInfo.InvariantCulture)).FirstOrDefault();
    }

    private static string Key(int index) => Prefix + index.ToString("D2", CultureInfo.InvariantCulture);
}
