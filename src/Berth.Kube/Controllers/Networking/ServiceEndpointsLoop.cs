using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Networking;

/// <summary>
/// The loop both endpoint controllers run: a Service is reconciled when it changes, and when a pod of its namespace that
/// its selector matches (before or after the change) appears, changes or goes. <see cref="ReconcileAsync"/> gets the
/// Service (null once it is gone) with the pods of its namespace.
/// </summary>
internal abstract class ServiceEndpointsLoop(SharedInformers informers, ResourceRegistry registry, string cluster, TimeProvider time, ILogger logger)
    : IController
{
    private readonly WorkQueue<string> _queue = new(time);
    private ObjectInformer? _services;
    private ObjectInformer? _pods;

    public abstract string Name { get; }

    protected string Cluster => cluster;

    protected ResourceRegistry Registry => registry;

    protected ResourceType Services => registry.Find("", "v1", "services")!;

    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _services = informers.Watch(ObjectStorage.Prefix(cluster, Services, null), change => _queue.Add(change.Key));
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, Pods, null), Route);
        // what the controller writes, so that an object changed or deleted by someone else is put right
        var owned = WatchOwned(informers, (ns, service) => _queue.Add(ObjectStorage.Key(cluster, Services, ns, service)));
        return ControllerLoop.RunAsync(Name, [_services, _pods, owned], _queue, ReconcileKeyAsync, logger, cancellationToken);
    }

    /// <summary>Watches the objects the controller keeps; <paramref name="enqueue"/> takes the namespace and name of their Service.</summary>
    protected abstract ObjectInformer WatchOwned(SharedInformers informers, Action<string, string> enqueue);

    protected abstract Task ReconcileAsync(string ns, string name, JsonObject? service, IReadOnlyList<JsonObject> pods, CancellationToken cancellationToken);

    private Task ReconcileKeyAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = NamespaceAndName(key);
        var podPrefix = ObjectStorage.Prefix(cluster, Pods, ns);
        var pods = _pods!.Objects.Where(p => p.Key.StartsWith(podPrefix, StringComparison.Ordinal)).Select(p => p.Value).ToList();
        return ReconcileAsync(ns, name, _services!.Get(key), pods, cancellationToken);
    }

    private void Route(ObjectChange change)
    {
        var pod = change.New ?? change.Old;
        if (pod?["metadata"]?["namespace"].AsText() is not { } ns)
        {
            return;
        }
        var prefix = ObjectStorage.Prefix(cluster, Services, ns);
        foreach (var (key, service) in _services!.Objects)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && service["spec"]?["selector"] is JsonObject { Count: > 0 } selector
                && (Selects(selector, change.New) || Selects(selector, change.Old)))
            {
                _queue.Add(key);
            }
        }
    }

    private static bool Selects(JsonObject selector, JsonObject? pod) =>
        pod?["metadata"]?["labels"] is JsonObject labels && selector.All(s => labels[s.Key].AsText() == s.Value.AsText());

    private static (string Namespace, string Name) NamespaceAndName(string key)
    {
        var parts = key.Split('/');
        return (parts[^2], parts[^1]);
    }
}
