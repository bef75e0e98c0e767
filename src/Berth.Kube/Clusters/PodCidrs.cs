using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Store;

namespace Berth.Kube.Clusters;

/// <summary>
/// Which cluster holds which /16 of the pod pool. Within an installation: a key per /16 (<c>/pod-cidrs/&lt;index&gt;</c>)
/// made with a create, which the store lets only one writer make, holding the cluster's uid (so clusters of one name
/// made one after another are told apart). Across the installations of a machine, whose bridges share the host's
/// routes: a claim file per /16 in a directory of the machine's (<see cref="MachineClaims"/>), made exclusively,
/// naming the data folder and cluster that hold it; a claim whose data folder is gone is taken over.
/// </summary>
public sealed class PodCidrs(IStore store, KubeApiOptions options)
{
    public const string Prefix = "/pod-cidrs/";

    /// <summary>Where the installations of this machine claim their /16s.</summary>
    public static string MachineClaims => Path.Combine(Path.GetTempPath(), "berth-pod-cidrs");

    /// <summary>The pod CIDR the cluster of <paramref name="uid"/> holds, taken now when it holds none.</summary>
    public async Task<string> AllocateAsync(string uid, CancellationToken cancellationToken)
    {
        if (await FindAsync(uid, cancellationToken) is { } held)
        {
            return ClusterNetwork.ClusterPodCidr(held);
        }
        for (var index = 0; index < ClusterNetwork.PodCidrCount; index++)
        {
            if (!TryClaim(index, uid))
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
        if (ReadClaim(held) is { } claim && claim.DataDirectory == options.DataDirectory)
        {
            File.Delete(ClaimPath(held));
        }
    }

    /// <summary>
    /// Claims the /16 for this installation: true when the claim is made now, is this installation's already (its own
    /// store says which of its clusters has it), or was another's whose data folder is gone.
    /// </summary>
    private bool TryClaim(int index, string uid)
    {
        Directory.CreateDirectory(MachineClaims);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            // written whole beside it, then moved in place unless a claim is there: no one reads a half-written claim
            var written = Path.Combine(MachineClaims, $".{index}.{Guid.NewGuid():N}");
            File.WriteAllText(written, new JsonObject { ["dataDirectory"] = options.DataDirectory, ["uid"] = uid }.ToJsonString());
            try
            {
                File.Move(written, ClaimPath(index), overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(ClaimPath(index)))
            {
                File.Delete(written);
                var claim = ReadClaim(index);
                if (claim?.DataDirectory == options.DataDirectory)
                {
                    return true; // this installation's: its store decides between its clusters
                }
                if (claim is not null && Directory.Exists(claim.DataDirectory))
                {
                    return false;
                }
                File.Delete(ClaimPath(index)); // its installation is gone (or the claim is unreadable): taken over
            }
        }
        return false;
    }

    private sealed record Claim(string DataDirectory, string Uid);

    private static Claim? ReadClaim(int index)
    {
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(ClaimPath(index)));
            return json?["dataDirectory"]?.GetValue<string>() is { } directory ? new Claim(directory, json["uid"]?.GetValue<string>() ?? "") : null;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private async Task<int?> FindAsync(string uid, CancellationToken cancellationToken)
    {
        var page = await store.ListAsync(Prefix, new ListOptions(Limit: ClusterNetwork.PodCidrCount), cancellationToken);
        return page.Items.Where(e => JsonNode.Parse(e.Value.Span)?["uid"]?.GetValue<string>() == uid)
            .Select(e => (int?)int.Parse(e.Key[Prefix.Length..], CultureInfo.InvariantCulture)).FirstOrDefault();
    }

    private static string ClaimPath(int index) => Path.Combine(MachineClaims, index.ToString("D2", CultureInfo.InvariantCulture));

    private static string Key(int index) => Prefix + index.ToString("D2", CultureInfo.InvariantCulture);
}
