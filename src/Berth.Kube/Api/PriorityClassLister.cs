using System.Text.Json.Nodes;
using Berth.Kube.Controllers;
using Berth.Kube.Resources;
using Berth.Store;

namespace Berth.Kube.Api;

/// <summary>
/// The cluster's PriorityClasses, kept in memory by an informer so that a pod create need not read the store to
/// resolve its priority, as kube-apiserver's Priority admission reads its lister. Another cluster's classes, or
/// any before the first list, are read from the store.
/// </summary>
internal sealed class PriorityClassLister(IStore store, SharedInformers informers, ResourceRegistry registry, string cluster)
    : Lister(informers, registry.Find("scheduling.k8s.io", "v1", "priorityclasses")!, cluster)
{
    public override string Name => "priorityclass-lister";

    /// <summary>Every PriorityClass of <paramref name="inCluster"/>.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string inCluster, CancellationToken cancellationToken)
    {
        if (inCluster == Cluster && Informer is { Synced.IsCompletedSuccessfully: true } informer)
        {
            return [.. informer.Objects.Select(o => o.Value)];
        }
        var listed = await store.ListAsync(ObjectStorage.Prefix(inCluster, Type, null), null, cancellationToken);
        return [.. listed.Items.Select(e => ObjectStorage.Decode(Type, e))];
    }
}
