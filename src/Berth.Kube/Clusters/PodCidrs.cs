using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Store;

namespace Berth.Kube.Clusters;

/// <summary>
/// Which cluster holds which /16 of the pod pool. Within an installation: a key per /16 (<c>/pod-cidrs/&lt;index&gt;</c>)
/// made with a create, which the store lets only one writer make, holding the cluster's uid (so clusters of one name
/// made one after another are told apart). Across the installations of a machine, whose bridges share the host's
/// routes: <see cref="MachinePodCidrClaims"/>.
/// </summary>
public sealed class PodCidrs(IStore store, KubeApiOptions options)
{
    public const string Prefix = "/pod-cidrs/";

    private readonly MachinePodCidrClaims _claims = new(options.PodCidrClaims);

    /// <summary>The pod CIDR the cluster of <paramref name="uid"/> holds, taken now when it holds none.</summary>
    public async Task<string> AllocateAsync(string uid, CancellationToken cancellationToken)
    {
        if (await FindAsync(uid, cancellationToken) is { } held)
        {
            return ClusterNetwork.ClusterPodCidr(held);
        }
        for (var index = 0; index < ClusterNetwork.PodCidrCount; index++)
        {
            if (!await _claims.TryClaimAsync(index, options.DataDirectory, uid, cancellationToken))
            {
                continue; // another installation's
            }
            try
            {
                await store.CreateAsync(Key(index), JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["uid"] = uid }), cancellationToken);
                return ClusterNetwork.ClusterPodCidr(index);
            }
            catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
            {
                if (await FindAsync(uid, cancellationToken) is { } taken)
                {
                    return ClusterNetwork.ClusterPodCidr(taken); // taken for the same cluster meanwhile (its create and its controller)
                }
                // another cluster of this installation's
            }
        }
        throw new InvalidOperationException($"All {ClusterNetwork.PodCidrCount} pod CIDRs of the pool are taken on this machine: delete a cluster first.");
    }

    /// <summary>Frees what the cluster of <paramref name="uid"/> holds.</summary>
    public async Task ReleaseAsync(string uid, CancellationToken cancellationToken)
    {
        if (await FindAsync(uid, cancellationToken) is not { } held)
        {
            return;
        }
        try
        {
            await store.DeleteAsync(Key(held), cancellationToken: cancellationToken);
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyNotFound)
        {
            // released meanwhile
        }
        await _claims.ReleaseAsync(held, options.DataDirectory, cancellationToken);
    }

    private async Task<int?> FindAsync(string uid, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(Prefix, new ListOptions(Limit: ClusterNetwork.PodCidrCount), cancellationToken);
        return page.Items.Where(e => JsonNode.Parse(e.Value.Span)?["uid"]?.GetValue<string>() == uid)
            .Select(e => (int?)int.Parse(e.Key[Prefix.Length..], CultureInfo.InvariantCulture)).FirstOrDefault();
    }

    private static string Key(int index) => Prefix + index.ToString("D2", CultureInfo.InvariantCulture);
}
