using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Store;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Clusters;

/// <summary>
/// What the cloud side of a cluster does in it, as EKS's node lifecycle and cloud-controller-manager do it through the
/// API: read the nodes' readiness, cordon and drain one (evictions, so budgets hold), delete one whose machine is gone,
/// delete the pods a label selects. One cluster's, in its scope.
/// </summary>
internal sealed class CloudOperations(IStore store, ResourceHandler objects, ServiceAccountLister accounts, ResourceRegistry registry, string cluster)
{
    private readonly ResourceType _nodes = registry.Find("", "v1", "nodes")!;
    private readonly ResourceType _pods = registry.Find("", "v1", "pods")!;

    public async Task<IReadOnlyList<NodeState>> ListAsync(CancellationToken cancellationToken)
    {
        var nodes = new List<NodeState>();
        await foreach (var node in ListAllAsync(_nodes, cancellationToken))
        {
            var ready = (node["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
                .Any(c => c["type"].AsText() == "Ready" && c["status"].AsText() == "True");
            var labels = (node["metadata"]?["labels"] as JsonObject ?? []).ToDictionary(l => l.Key, l => l.Value.AsText() ?? "", StringComparer.Ordinal);
            nodes.Add(new NodeState(node["metadata"]!["name"]!.GetValue<string>(), ready, node["spec"]?["unschedulable"]?.GetValue<bool>() == true, labels));
        }
        return nodes;
    }

    /// <summary>Marks the node unschedulable and evicts its pods but DaemonSets' and mirror pods; the number of pods still to go (0: drained).</summary>
    public async Task<int> DrainAsync(string node, CancellationToken cancellationToken)
    {
        try
        {
            await objects.UpdateObjectAsync(cluster, _nodes, null, node, FieldOwner.ControllerManager, n =>
            {
                var spec = n["spec"] as JsonObject ?? [];
                spec["unschedulable"] = true;
                n["spec"] = spec;
                return n;
            }, cancellationToken);
        }
        catch (KubeApiException e) when (e.Code == StatusCodes.Status404NotFound)
        {
            return 0;
        }
        var remaining = 0;
        await foreach (var pod in ListAllAsync(_pods, cancellationToken))
        {
            if (pod["spec"]?["nodeName"].AsText() != node || pod["status"]?["phase"].AsText() is "Succeeded" or "Failed"
                || pod["metadata"]?["annotations"]?["kubernetes.io/config.mirror"] is not null
                || (pod["metadata"]?["ownerReferences"] as JsonArray ?? []).Any(o => o?["kind"].AsText() == "DaemonSet"))
            {
                continue;
            }
            remaining++;
            if (pod["metadata"]?["deletionTimestamp"] is not null)
            {
                continue; // evicted already; its agent is stopping it
            }
            try
            {
                await objects.EvictAsync(cluster, _pods, pod["metadata"]!["namespace"]!.GetValue<string>(), pod["metadata"]!["name"]!.GetValue<string>(),
                    new DeleteOptions(null, null, null, null, false), cancellationToken);
            }
            catch (KubeApiException e) when (e.Code is StatusCodes.Status429TooManyRequests or StatusCodes.Status404NotFound)
            {
                // a budget allows no disruption now (tried again on the next pass), or the pod went meanwhile
            }
        }
        return remaining;
    }

    /// <summary>Deletes every pod whose label <paramref name="key"/> is <paramref name="value"/>, gracefully.</summary>
    public async Task DeletePodsAsync(string key, string value, CancellationToken cancellationToken)
    {
        await foreach (var pod in ListAllAsync(_pods, cancellationToken))
        {
            if (pod["metadata"]?["labels"]?[key].AsText() != value || pod["metadata"]?["deletionTimestamp"] is not null)
            {
                continue;
            }
            try
            {
                await objects.DeleteObjectAsync(cluster, _pods, pod["metadata"]!["namespace"]!.GetValue<string>(), pod["metadata"]!["name"]!.GetValue<string>(),
                    new DeleteOptions(null, null, null, null, false), cancellationToken);
            }
            catch (KubeApiException e) when (e.Code == StatusCodes.Status404NotFound)
            {
                // gone meanwhile
            }
        }
    }

    /// <summary>The annotations of a ServiceAccount, or null when there is none of that name.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> ServiceAccountAnnotationsAsync(string ns, string name, CancellationToken cancellationToken) =>
        await accounts.GetAsync(ns, name, cancellationToken) is { } account
            ? (account["metadata"]?["annotations"] as JsonObject ?? []).ToDictionary(a => a.Key, a => a.Value.AsText() ?? "", StringComparer.Ordinal)
            : null;

    /// <summary>Deletes the Node object, as cloud-controller-manager does once the machine behind it is gone.</summary>
    public async Task DeleteAsync(string node, CancellationToken cancellationToken)
    {
        try
        {
            await objects.DeleteObjectAsync(cluster, _nodes, null, node, new DeleteOptions(null, null, null, null, false), cancellationToken);
        }
        catch (KubeApiException e) when (e.Code == StatusCodes.Status404NotFound)
        {
            // gone already
        }
    }

    private async IAsyncEnumerable<JsonObject> ListAllAsync(ResourceType type, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? next = null;
        do
        {
            var page = await store.ListAsync(ObjectStorage.Prefix(cluster, type, null), new ListOptions(Limit: 500, Continue: next), cancellationToken);
            foreach (var entry in page.Items)
            {
                yield return ObjectStorage.Decode(type, entry);
            }
            next = page.Continue;
        }
        while (next is not null);
    }
}

/// <summary>A node as the cloud side sees it: its name, whether it is Ready, cordoned, and its labels.</summary>
public sealed record NodeState(string Name, bool Ready, bool Unschedulable, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// The cloud side's hold on the served clusters (EKS node groups and Fargate, Auto Scaling, EC2): what
/// <see cref="CloudOperations"/> does, in the named cluster. A cluster that is not served has no nodes or pods, and
/// nothing to drain or delete.
/// </summary>
public sealed class ClusterControl
{
    private readonly ServedClusters _clusters;

    internal ClusterControl(ServedClusters clusters) => _clusters = clusters;

    public Task<IReadOnlyList<NodeState>> ListAsync(string cluster, CancellationToken cancellationToken) =>
        Operations(cluster)?.ListAsync(cancellationToken) ?? Task.FromResult<IReadOnlyList<NodeState>>([]);

    public Task<int> DrainAsync(string cluster, string node, CancellationToken cancellationToken) =>
        Operations(cluster)?.DrainAsync(node, cancellationToken) ?? Task.FromResult(0);

    public Task DeleteAsync(string cluster, string node, CancellationToken cancellationToken) =>
        Operations(cluster)?.DeleteAsync(node, cancellationToken) ?? Task.CompletedTask;

    public Task<IReadOnlyDictionary<string, string>?> ServiceAccountAnnotationsAsync(string cluster, string ns, string name, CancellationToken cancellationToken) =>
        Operations(cluster)?.ServiceAccountAnnotationsAsync(ns, name, cancellationToken) ?? Task.FromResult<IReadOnlyDictionary<string, string>?>(null);

    public Task DeletePodsAsync(string cluster, string labelKey, string labelValue, CancellationToken cancellationToken) =>
        Operations(cluster)?.DeletePodsAsync(labelKey, labelValue, cancellationToken) ?? Task.CompletedTask;

    private CloudOperations? Operations(string cluster) => _clusters.Find(cluster)?.Cloud;
}
