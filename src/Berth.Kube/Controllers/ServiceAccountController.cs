using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>Gives every namespace its <c>default</c> ServiceAccount, as kube-controller-manager's service-account controller does.</summary>
internal sealed class ServiceAccountController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, string cluster,
    TimeProvider time, ILogger<ServiceAccountController> logger) : IController
{
    private readonly WorkQueue<string> _queue = new(time);
    private ObjectInformer? _informer;

    public string Name => "serviceaccount";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var namespaces = registry.Find("", "v1", "namespaces")!;
        _informer = informers.Watch(ObjectStorage.Prefix(cluster, namespaces, null), change =>
        {
            if (change.New is not null && change.Old is null)
            {
                _queue.Add(change.Key);
            }
        });
        return ControllerLoop.RunAsync(Name, _informer, _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_informer!.Get(key) is not { } ns || ns["metadata"]?["deletionTimestamp"] is not null)
        {
            return;
        }
        var name = ns["metadata"]!["name"]!.GetValue<string>();
        var accounts = registry.Find("", "v1", "serviceaccounts")!;
        if (await objects.GetObjectAsync(cluster, accounts, name, "default", cancellationToken) is not null)
        {
            return;
        }
        try
        {
            await objects.CreateObjectAsync(cluster, accounts, name, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ServiceAccount",
                ["metadata"] = new JsonObject { ["name"] = "default" },
            }, FieldOwner.ControllerManager, dryRun: false, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason is "AlreadyExists" or "Forbidden")
        {
            // made meanwhile, or the namespace began terminating
        }
    }
}
