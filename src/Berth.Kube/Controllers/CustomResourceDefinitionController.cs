using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.ApiExtensions;
using Berth.Kube.Schema;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers;

/// <summary>
/// Serves what CRDs define, as apiextensions-apiserver does: each served version of a CRD becomes a resource of
/// the registry, with the schema of its <c>openAPIV3Schema</c>, and the CRD's status says so (<c>NamesAccepted</c>,
/// <c>Established</c>). A CRD being deleted has its custom resources deleted first; then its finalizer comes off
/// and it stops being served.
/// </summary>
internal sealed class CustomResourceDefinitionController(IStore store, SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, string cluster,
    TimeProvider time, ILogger<CustomResourceDefinitionController> logger) : IController
{
    private static readonly TimeSpan s_recheck = TimeSpan.FromMilliseconds(250);

    private readonly WorkQueue<string> _queue = new(time);

    /// <summary>What each CRD's key serves, so that a deleted CRD can be unregistered.</summary>
    private readonly ConcurrentDictionary<string, (string Group, string Plural)> _served = new(StringComparer.Ordinal);

    private ObjectInformer? _informer;

    public string Name => "customresourcedefinition";

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var crds = registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
        _informer = informers.Watch(ObjectStorage.Prefix(cluster, crds, null), change => _queue.Add(change.Key));
        return ControllerLoop.RunAsync(Name, _informer, _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_informer!.Get(key) is not { } crd)
        {
            if (_served.TryRemove(key, out var gone))
            {
                registry.Remove(gone.Group, gone.Plural);
            }
            return;
        }
        var spec = (JsonObject)crd["spec"]!;
        var group = spec["group"]!.GetValue<string>();
        var names = (JsonObject)spec["names"]!;
        var plural = names["plural"]!.GetValue<string>();
        var name = crd["metadata"]!["name"]!.GetValue<string>();
        Serve(key, crd, group, plural);
        if (crd["metadata"]?["deletionTimestamp"] is not null)
        {
            await CleanUpAsync(key, name, group, plural, cancellationToken);
            return;
        }
        if (crd["status"]?["conditions"] is not JsonArray conditions || !conditions.Any(c => c?["type"].AsText() == "Established"))
        {
            var crdType = registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
            await objects.UpdateStatusAsync(cluster, crdType, null, name, FieldOwner.ApiServer, current => Established(current, time.GetUtcNow()), cancellationToken);
        }
    }

    /// <summary>Registers the CRD's served versions, replacing what an earlier revision of it registered.</summary>
    private void Serve(string key, JsonObject crd, string group, string plural)
    {
        var spec = (JsonObject)crd["spec"]!;
        var names = (JsonObject)spec["names"]!;
        var kind = names["kind"]!.GetValue<string>();
        registry.Remove(group, plural);
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().Where(v => v["served"].AsBool() != false))
        {
            var versionName = version["name"]!.GetValue<string>();
            var schema = CustomResourceSchema.ForKind(group, versionName, kind, version["schema"]?["openAPIV3Schema"] as JsonObject);
            var shortNames = (names["shortNames"] as JsonArray ?? []).Select(n => n.AsText()).OfType<string>().ToList();
            var categories = (names["categories"] as JsonArray ?? []).Select(n => n.AsText()).OfType<string>().ToList();
            registry.AddOrReplace(new ResourceType(group, versionName, kind, plural, spec["scope"].AsText() == "Namespaced", shortNames,
                new CustomResourceStrategy(version, schema, categories), schema));
        }
        _served[key] = (group, plural);
    }

    /// <summary>Deletes every custom resource of a CRD being deleted; once none is left, lets the CRD go.</summary>
    private async Task CleanUpAsync(string key, string name, string group, string plural, CancellationToken cancellationToken)
    {
        var remaining = 0;
        if (registry.Types.FirstOrDefault(t => t.Group == group && t.Plural == plural) is { } type)
        {
            var listed = await store.ListAsync(ObjectStorage.Prefix(cluster, type, null), cancellationToken: cancellationToken);
            foreach (var entry in listed.Items)
            {
                if (ObjectStorage.Parse(entry.Key, registry) is not var (_, ns, itemName))
                {
                    continue;
                }
                try
                {
                    var (_, gone) = await objects.DeleteObjectAsync(cluster, type, ns, itemName, DeleteOptions.Default, cancellationToken);
                    remaining += gone ? 0 : 1;
                }
                catch (KubeApiException e) when (e.Reason == "NotFound")
                {
                    // gone meanwhile
                }
            }
        }
        if (remaining > 0)
        {
            _queue.AddAfter(key, s_recheck);
            return;
        }
        var crdType = registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
        await objects.UpdateObjectAsync(cluster, crdType, null, name, FieldOwner.ApiServer, current =>
        {
            if (current["metadata"]!["finalizers"] is JsonArray finalizers)
            {
                current["metadata"]!["finalizers"] = new JsonArray([.. finalizers
                    .Where(f => f.AsText() != CustomResourceDefinitionStrategy.CleanupFinalizer).Select(f => f!.DeepClone())]);
            }
            return current;
        }, cancellationToken);
    }

    private static JsonObject Established(JsonObject crd, DateTimeOffset now)
    {
        var at = KubeTime.Format(now);
        var spec = (JsonObject)crd["spec"]!;
        var storage = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(v => v["storage"].AsBool() == true)?["name"].AsText();
        crd["status"] = new JsonObject
        {
            ["acceptedNames"] = spec["names"]!.DeepClone(),
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", at),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", at)),
            ["storedVersions"] = storage is null ? new JsonArray() : new JsonArray(storage),
        };
        return crd;
    }

    private static JsonObject Condition(string type, string reason, string message, string at) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = at,
        ["reason"] = reason,
        ["message"] = message,
    };
}
