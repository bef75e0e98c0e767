using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// A node as the scheduler sees it: the Node object, what the filters read of it (labels, taints, images) parsed
/// once, and the pods on it (bound or assumed) with the sum of what they take.
/// </summary>
internal sealed class NodeInfo(string name)
{
    private readonly Dictionary<string, PodDemand> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byOwner = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    /// <summary>The Node object; null while pods name a node the cache has not seen yet.</summary>
    public JsonObject? Node { get; private set; }

    public JsonObject? Labels { get; private set; }

    public bool Unschedulable { get; private set; }

    public IReadOnlyList<JsonObject> Taints { get; private set; } = [];

    /// <summary>The sizes of the images the node holds, by every name it reports for them.</summary>
    public IReadOnlyDictionary<string, long> Images { get; private set; } = new Dictionary<string, long>();

    public ResourceList Allocatable { get; private set; } = new();

    public ResourceList Requested { get; } = new();

    public ResourceList NonZeroRequested { get; } = new();

    public int PodCount => _pods.Count;

    public bool HasPods => _pods.Count > 0;

    /// <summary>The pods on the node, by key.</summary>
    public IReadOnlyDictionary<string, PodDemand> Pods => _pods;

    /// <summary>How many of the node's pods carry inter-pod affinity or anti-affinity terms of their own.</summary>
    public int PodsWithAffinity { get; private set; }

    public IEnumerable<HostPort> UsedPorts => _pods.Values.SelectMany(p => p.Ports);

    /// <summary>How many of this node's pods the controller with <paramref name="ownerUid"/> made.</summary>
    public int PodsOf(string ownerUid) => _byOwner.GetValueOrDefault(ownerUid);

    public void SetNode(JsonObject? node)
    {
        Node = node;
        Labels = node?["metadata"]?["labels"] as JsonObject;
        Unschedulable = node?["spec"]?["unschedulable"].AsBool() == true;
        Taints = node is null ? [] : [.. Tolerations.TaintsOf(node)];
        Allocatable = ResourceList.From(node?["status"]?["allocatable"] ?? node?["status"]?["capacity"]);
        var images = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var image in (node?["status"]?["images"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var size = image["sizeBytes"].AsLong() ?? 0;
            foreach (var imageName in (image["names"] as JsonArray ?? []).Select(n => n.AsText()).OfType<string>())
            {
                images[ImageNames.Normalize(imageName)] = size;
            }
        }
        Images = images;
    }

    public void AddPod(string key, PodDemand demand)
    {
        RemovePod(key);
        _pods[key] = demand;
        Requested.Add(demand.Requests);
        NonZeroRequested.Add(demand.NonZeroRequests);
        if (demand.OwnerUid is { } owner)
        {
            _byOwner[owner] = _byOwner.GetValueOrDefault(owner) + 1;
        }
        if (!demand.Affinity.IsEmpty)
        {
            PodsWithAffinity++;
        }
    }

    public void RemovePod(string key)
    {
        if (!_pods.Remove(key, out var demand))
        {
            return;
        }
        Requested.Add(demand.Requests, -1);
        NonZeroRequested.Add(demand.NonZeroRequests, -1);
        if (demand.OwnerUid is { } owner && --_byOwner[owner] == 0)
        {
            _byOwner.Remove(owner);
        }
        if (!demand.Affinity.IsEmpty)
        {
            PodsWithAffinity--;
        }
    }

    /// <summary>A copy whose pods can be taken away to see whether a pod would then fit (preemption's dry run).</summary>
    public NodeInfo Clone()
    {
        var copy = new NodeInfo(Name);
        copy.SetNode(Node);
        foreach (var (key, demand) in _pods)
        {
            copy.AddPod(key, demand);
        }
        return copy;
    }

    /// <summary>The node's <c>metadata.labels</c> value for <paramref name="key"/>.</summary>
    public string? Label(string key) => Labels?[key].AsText();
}
