using Berth.Kube.Controllers;

namespace Berth.Kube.Api;

/// <summary>
/// A cluster's objects under one store prefix, kept in memory by a shared informer for the API's admission to read,
/// as kube-apiserver's admission plugins read listers. The copy may lag the store: each lister says what it reads
/// when the copy cannot be trusted.
/// </summary>
internal abstract class Lister(SharedInformers informers, string prefix) : IController
{
    public abstract string Name { get; }

    protected string Prefix => prefix;

    /// <summary>The copy; null until the lister runs.</summary>
    protected ObjectInformer? Informer { get; private set; }

    public Task RunAsync(CancellationToken cancellationToken)
    {
        Informer = informers.Watch(prefix, _ => { });
        return Informer.RunAsync(cancellationToken);
    }
}
