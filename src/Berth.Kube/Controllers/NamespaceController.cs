using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// Empties a namespace that is being deleted, as kube-controller-manager's namespace controller does: deletes
/// everything in it, waits until all of it is gone (finalizers of the contents included), then clears the
/// namespace's <c>kubernetes</c> finalizer, which lets the namespace itself go.
/// </summary>
internal sealed class NamespaceController(IStore store, SharedInformers informers, ResourceHandler objects, Resources.ResourceRegistry registry, string cluster,
    TimeProvider time, ILogger<NamespaceController> logger) : IController
{
    /// <summary>How soon a namespace whose contents are still going is looked at again.</summary>
    private static readonly TimeSpan s_recheck = TimeSpan.FromMilliseconds(250);

    private readonly WorkQueue<string> _queue = new(time);
    private ObjectInformer? _informer;

    public string Name => "namespace";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var namespaces = registry.Find("", "v1", "namespaces")!;
        _informer = informers.Watch(ObjectStorage.Prefix(cluster, namespaces, null), change =>
        {
            if (change.New?["metadata"]?["deletionTimestamp"] is not null)
            {
                _queue.Add(change.Key);
            }
        });
        return ControllerLoop.RunAsync(Name, _informer, _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var ns = _informer!.Get(key);
        if (ns?["metadata"]?["deletionTimestamp"] is null
            || ns["spec"]?["finalizers"] is not JsonArray finalizers
            || !finalizers.Any(f => f.AsText() == ResourceHandler.NamespaceFinalizer))
        {
            return;
        }
        var name = ns["metadata"]!["name"]!.GetValue<string>();
        var remaining = 0;
        // a resource that serves another's objects is emptied with its owner
        foreach (var type in registry.Types.Where(t => t.Namespaced && t.StoredAs is null))
        {
            var contents = await store.ListAsync(ObjectStorage.Prefix(cluster, type, name), cancellationToken: cancellationToken);
            foreach (var entry in contents.Items)
            {
                var obj = ObjectStorage.Decode(entry);
                if (obj["metadata"]?["deletionTimestamp"] is not null)
                {
                    remaining++; // on its way out; its finalizers decide when
                    continue;
                }
                try
                {
                    var (_, gone) = await objects.DeleteObjectAsync(cluster, type, name, obj["metadata"]!["name"]!.GetValue<string>(),
                        DeleteOptions.Default with { PropagationPolicy = DeleteOptions.Background }, cancellationToken);
                    remaining += gone ? 0 : 1;
                }
                catch (KubeApiException e) when (e.Reason == "NotFound")
                {
                    // gone meanwhile: that is the goal
                }
            }
        }
        if (remaining > 0)
        {
            _queue.AddAfter(key, s_recheck);
            return;
        }
        await objects.FinalizeNamespaceAsync(cluster, name, cancellationToken);
    }
}
