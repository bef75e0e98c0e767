using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Store;

namespace Berth.Kube.Clusters;

/// <summary>
/// The served clusters' records in the store: what a face that makes clusters (EKS) writes to ask for one or to take
/// one down, and what the cluster host reads to serve them. Changes are read-modify-write on the key's revision.
/// </summary>
public sealed class ClusterRecords(IStore store, PodCidrs podCidrs, TimeProvider time)
{
    public async Task<ClusterRecord?> GetAsync(string name, CancellationToken cancellationToken) =>
        await store.GetAsync(ClusterRecord.Key(name), cancellationToken: cancellationToken) is { } entry ? Decode(entry) : null;

    public async Task<IReadOnlyList<ClusterRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var records = new List<ClusterRecord>();
        string? next = null;
        do
        {
            var page = await store.ListAsync(ClusterRecord.Prefix, new ListOptions(Limit: 500, Continue: next), cancellationToken);
            records.AddRange(page.Items.Select(Decode));
            next = page.Continue;
        }
        while (next is not null);
        return records;
    }

    /// <summary>Asks for a cluster; false when one of the name exists already.</summary>
    public async Task<bool> TryCreateAsync(string name, IReadOnlyList<string> admins, string? uid, CancellationToken cancellationToken)
    {
        uid ??= Guid.NewGuid().ToString();
        var record = new ClusterRecord(name, uid, time.GetUtcNow(), admins, ClusterPhase.Provisioning, await podCidrs.AllocateAsync(uid, cancellationToken));
        try
        {
            await store.CreateAsync(ClusterRecord.Key(name), JsonSerializer.SerializeToUtf8Bytes(record.ToJson()), cancellationToken);
            return true;
        }
        catch (StoreException e) when (e.Code == StoreErrorCode.KeyExists)
        {
            if ((await GetAsync(name, cancellationToken))?.Uid != uid)
            {
                await podCidrs.ReleaseAsync(uid, cancellationToken); // the name is another cluster's: this one never was
            }
            return false;
        }
    }

    /// <summary>Asks for the cluster to be taken down: its controllers stopped, its objects deleted, then its record.</summary>
    public Task RequestDeletionAsync(string name, CancellationToken cancellationToken) =>
        ChangeAsync(name, r => r.Phase == ClusterPhase.Deleting ? null : r with { Phase = ClusterPhase.Deleting }, cancellationToken);

    /// <summary>Applies <paramref name="change"/> (null: nothing to change) to the record, again on a newer version after a conflict.</summary>
    internal async Task ChangeAsync(string name, Func<ClusterRecord, ClusterRecord?> change, CancellationToken cancellationToken)
    {
        while (await store.GetAsync(ClusterRecord.Key(name), cancellationToken: cancellationToken) is { } entry)
        {
            if (change(Decode(entry)) is not { } changed)
            {
                return;
            }
            try
            {
                await store.UpdateAsync(entry.Key, JsonSerializer.SerializeToUtf8Bytes(changed.ToJson()), entry.ModRevision, cancellationToken);
                return;
            }
            catch (StoreException e) when (e.Code is StoreErrorCode.Conflict or StoreErrorCode.KeyNotFound)
            {
                // changed or gone meanwhile: read again
            }
        }
    }

    private static ClusterRecord Decode(StoreEntry entry) => ClusterRecord.FromJson(JsonNode.Parse(entry.Value.Span)!.AsObject());
}
