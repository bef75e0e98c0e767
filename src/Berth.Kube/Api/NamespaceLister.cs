using System.Collections.Concurrent;
using Berth.Kube.Controllers;
using Berth.Kube.Resources;

namespace Berth.Kube.Api;

/// <summary>
/// The cluster's namespaces, kept in memory by an informer, so that a create need not read the store to learn that
/// its namespace exists, as kube-apiserver's namespace lifecycle check reads its lister. The copy may lag: callers
/// trust only a namespace it holds as active and read the store otherwise.
/// </summary>
/// <remarks>
/// A namespace being deleted is read from the store for a while whatever the copy says (kube-apiserver's
/// forceLiveLookup): until the copy has seen the deletion, it would still call the namespace active.
/// </remarks>
internal sealed class NamespaceLister(SharedInformers informers, ResourceRegistry registry, TimeProvider time, string cluster)
    : Lister(informers, registry.Find("", "v1", "namespaces")!, cluster)
{
    /// <summary>How long a deleted namespace is read from the store, as kube-apiserver's lifecycle check does.</summary>
    private static readonly TimeSpan s_liveLookup = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _liveUntil = new(StringComparer.Ordinal);

    public override string Name => "namespace-lister";

    /// <summary>True when the copy holds <paramref name="name"/> in <paramref name="inCluster"/> and it is not being deleted.</summary>
    public bool IsKnownActive(string inCluster, string name)
    {
        if (inCluster != Cluster || Informer?.Get(Prefix + name) is not { } found || found["metadata"]?["deletionTimestamp"] is not null)
        {
            return false;
        }
        if (_liveUntil.TryGetValue(name, out var until))
        {
            if (time.GetUtcNow() < until)
            {
                return false;
            }
            _liveUntil.TryRemove(KeyValuePair.Create(name, until));
        }
        return true;
    }

    /// <summary>A namespace is being deleted: for a while, only the store may say it is active.</summary>
    public void RequireLiveLookup(string inCluster, string name)
    {
        if (inCluster == Cluster)
        {
            _liveUntil[name] = time.GetUtcNow() + s_liveLookup;
        }
    }
}
