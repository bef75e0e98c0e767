using Berth.Kube.Controllers;
using Berth.Kube.Resources;
using Berth.Store;

namespace Berth.Kube.Api;

/// <summary>
/// The cluster's namespaces, kept in memory by an informer, so that a create need not read the store to learn that
/// its namespace exists, as kube-apiserver's namespace lifecycle check reads its lister. The copy may lag: callers
/// trust only a namespace it holds as active and read the store otherwise.
/// </summary>
internal sealed class NamespaceLister(IStore store, ResourceRegistry registry, string cluster) : IController
{
    private readonly string _prefix = ObjectStorage.Prefix(cluster, registry.Find("", "v1", "namespaces")!, null);
    private ObjectInformer? _informer;

    public string Name => "namespace-lister";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _informer = new ObjectInformer(store, _prefix, _ => { });
        return _informer.RunAsync(cancellationToken);
    }

    /// <summary>True when the copy holds <paramref name="name"/> in <paramref name="inCluster"/> and it is not being deleted.</summary>
    public bool IsKnownActive(string inCluster, string name) =>
        inCluster == cluster && _informer?.Get(_prefix + name) is { } found && found["metadata"]?["deletionTimestamp"] is null;
}
