using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>A node as the scheduler sees it: the Node object and the sum of what the pods on it (bound or assumed) take.</summary>
internal sealed class NodeInfo(string name)
{
    private readonly Dictionary<string, PodDemand> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byOwner = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    /// <summary>The Node object; null while pods name a node the cache has not seen yet.</summary>
    public JsonObject? Node { get; private set; }

    public ResourceList Allocatable { get; private set; } = new();

    public ResourceList Requested { get; } = new();

    public ResourceList NonZeroRequested { get; } = new();

    public int PodCount => _pods.Count;

    public IEnumerable<HostPort> UsedPorts => _pods.Values.SelectMany(p => p.Ports);

    /// <summary>How many of this node's pods the controller with <paramref name="ownerUid"/> made.</summary>
    public int PodsOf(string ownerUid) => _byOwner.GetValueOrDefault(ownerUid);

    public void SetNode(JsonObject? node)
    {
        Node = node;
        Allocatable = ResourceList.From(node?["status"]?["allocatable"] ?? node?["status"]?["capacity"]);
    }

    public bool HasPods => _pods.Count > 0;

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
    }

    /// <summary>The node's <c>metadata.labels</c> value for <paramref name="key"/>.</summary>
    public string? Label(string key) => Node?["metadata"]?["labels"]?[key].AsText();
}
