using System.Text.Json.Nodes;

namespace Berth.Kube.Scheduling;

/// <summary>
/// The nodes and where every pod runs, kept from the informers' changes and from the scheduler's own decisions:
/// a pod the scheduler placed is counted on its node at once ("assumed"), before its binding is stored and seen,
/// so the next decision does not give the same room away twice.
/// </summary>
/// <remarks>
/// Changes are noted without waiting for a decision in progress (the informers that report them are shared by
/// every controller, so they must not stall) and applied, the latest per pod and per node, when the next decision
/// enters the cache.
/// </remarks>
internal sealed class SchedulingCache
{
    private readonly Lock _pendingGate = new();
    private Dictionary<string, JsonObject?> _pendingNodes = new(StringComparer.Ordinal); // null: removed
    private Dictionary<string, (string Node, PodDemand Demand)?> _pendingPods = new(StringComparer.Ordinal); // null: removed

    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeOfPod = new(StringComparer.Ordinal);
    private readonly List<NodeInfo> _order = [];
    private readonly Dictionary<string, int> _imageNodes = new(StringComparer.Ordinal);
    private List<NodeInfo>? _ready;
    private List<NodeInfo>? _withAffinityPods;

    private Lock Sync { get; } = new();

    /// <summary>Holds the cache for a decision, with every change noted so far applied; dispose to release it.</summary>
    public Lock.Scope Enter()
    {
        var scope = Sync.EnterScope();
        Dictionary<string, JsonObject?> nodes;
        Dictionary<string, (string Node, PodDemand Demand)?> pods;
        lock (_pendingGate)
        {
            if (_pendingNodes.Count == 0 && _pendingPods.Count == 0)
            {
                return scope;
            }
            (nodes, _pendingNodes) = (_pendingNodes, new(StringComparer.Ordinal));
            (pods, _pendingPods) = (_pendingPods, new(StringComparer.Ordinal));
        }
        foreach (var (name, node) in nodes)
        {
            if (node is null)
            {
                RemoveNodeLocked(name);
            }
            else
            {
                SetNodeLocked(name, node);
            }
        }
        foreach (var (key, placement) in pods)
        {
            if (placement is { } p)
            {
                AddPodLocked(key, p.Node, p.Demand);
            }
            else
            {
                RemovePodLocked(key);
            }
        }
        return scope;
    }

    /// <summary>The nodes known, in a stable order (the scheduler starts each search where the last one stopped).</summary>
    public IReadOnlyList<NodeInfo> Nodes => _order;

    /// <summary>The nodes whose Node object is known, in the same order; kept until a node comes or goes. Call inside <see cref="Enter"/>.</summary>
    public IReadOnlyList<NodeInfo> ReadyNodes => _ready ??= [.. _order.Where(n => n.Node is not null)];

    /// <summary>The ready nodes that hold pods with inter-pod affinity terms; kept until that changes. Call inside <see cref="Enter"/>.</summary>
    public IReadOnlyList<NodeInfo> NodesWithAffinityPods => _withAffinityPods ??= [.. ReadyNodes.Where(n => n.PodsWithAffinity > 0)];

    /// <summary>On how many nodes an image (by normalized name) is. Call inside <see cref="Enter"/>.</summary>
    public int NodesWithImage(string image) => _imageNodes.GetValueOrDefault(image);

    public void SetNode(string name, JsonObject node)
    {
        lock (_pendingGate)
        {
            _pendingNodes[name] = node;
        }
    }

    public void RemoveNode(string name)
    {
        lock (_pendingGate)
        {
            _pendingNodes[name] = null;
        }
    }

    /// <summary>Counts a pod on a node, moving it there if it was counted elsewhere.</summary>
    public void AddPod(string key, string node, PodDemand demand)
    {
        lock (_pendingGate)
        {
            _pendingPods[key] = (node, demand);
        }
    }

    public void RemovePod(string key)
    {
        lock (_pendingGate)
        {
            _pendingPods[key] = null;
        }
    }

    private void SetNodeLocked(string name, JsonObject node)
    {
        var info = Info(name);
        CountImages(info, -1);
        if (info.Node is null)
        {
            _ready = _withAffinityPods = null;
        }
        info.SetNode(node);
        CountImages(info, 1);
    }

    private void CountImages(NodeInfo info, int sign)
    {
        foreach (var image in info.Images.Keys)
        {
            var count = _imageNodes.GetValueOrDefault(image) + sign;
            if (count <= 0)
            {
                _imageNodes.Remove(image);
            }
            else
            {
                _imageNodes[image] = count;
            }
        }
    }

    private void RemoveNodeLocked(string name)
    {
        if (_nodes.TryGetValue(name, out var info))
        {
            CountImages(info, -1);
            _ready = _withAffinityPods = null;
            info.SetNode(null);
            if (!info.HasPods)
            {
                _nodes.Remove(name);
                _order.Remove(info);
            }
        }
    }

    private void AddPodLocked(string key, string node, PodDemand demand)
    {
        RemovePodLocked(key);
        var info = Info(node);
        var hadAffinityPods = info.PodsWithAffinity > 0;
        info.AddPod(key, demand);
        _nodeOfPod[key] = node;
        if (hadAffinityPods != info.PodsWithAffinity > 0)
        {
            _withAffinityPods = null;
        }
    }

    private void RemovePodLocked(string key)
    {
        if (!_nodeOfPod.Remove(key, out var node) || !_nodes.TryGetValue(node, out var info))
        {
            return;
        }
        var hadAffinityPods = info.PodsWithAffinity > 0;
        info.RemovePod(key);
        if (hadAffinityPods != info.PodsWithAffinity > 0)
        {
            _withAffinityPods = null;
        }
        if (info.Node is null && !info.HasPods)
        {
            _nodes.Remove(node);
            _order.Remove(info);
            _ready = _withAffinityPods = null;
        }
    }

    private NodeInfo Info(string name)
    {
        if (!_nodes.TryGetValue(name, out var info))
        {
            _nodes[name] = info = new NodeInfo(name);
            _order.Add(info);
            _ready = _withAffinityPods = null;
        }
        return info;
    }
}
