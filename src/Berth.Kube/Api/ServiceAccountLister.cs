using System.Text.Json.Nodes;
using Berth.Kube.Controllers;
using Berth.Kube.Resources;

namespace Berth.Kube.Api;

/// <summary>
/// The cluster's ServiceAccounts, kept in memory by an informer so that admitting a pod need not read the store for
/// its account, as EKS's pod identity webhook reads its cache. An account the copy does not hold yet (made a moment
/// ago, or before the first list) is read from the store; a change to one it holds reaches it within the watch's
/// delay, as it reaches the webhook's cache.
/// </summary>
internal sealed class ServiceAccountLister(ResourceHandler objects, SharedInformers informers, ResourceRegistry registry, string cluster)
    : Lister(informers, registry.Find("", "v1", "serviceaccounts")!, cluster)
{
    public override string Name => "serviceaccount-lister";

    /// <summary>The ServiceAccount <paramref name="name"/> in <paramref name="ns"/>, or null when there is none.</summary>
    public async Task<JsonObject?> GetAsync(string ns, string name, CancellationToken cancellationToken) =>
        Informer?.Get(ObjectStorage.Key(Cluster, Type, ns, name))
        ?? await objects.GetObjectAsync(Cluster, Type, ns, name, cancellationToken);
}
