using Berth.Kube.Controllers;
using Berth.Kube.Resources;

namespace Berth.Kube.Api;

/// <summary>
/// A cluster's objects under one store prefix, kept in memory by a shared informer for the API's admission to read,
/// as kube-apiserver's admission plugins read listers. The copy may lag the store: each lister says what it reads
/// when the copy cannot be trusted.
/// </summary>
internal abstract class Lister(SharedInformers informers, ResourceType type, string cluster) : IController
{
    public abstract string Name { get; }

    protected ResourceType Type => type;

    protected string Cluster => cluster;

    /// <summary>Where the cluster's objects of <see cref="Type"/> are kept, in every namespace.</summary>
    protected string Prefix { get; } = ObjectStorage.Prefix(cluster, type, null);

    /// <summary>The copy; null until the lister runs.</summary>
    protected ObjectInformer? Informer { get; private set; }

    public Task RunAsync(CancellationToken cancellationToken)
    {
        Informer = informers.Watch(Prefix, _ => { });
        return Informer.RunAsync(cancellationToken);
    }
}
