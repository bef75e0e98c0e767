using System.Text.Json.Nodes;

namespace Berth.Kube.Scheduling;

/// <summary>
/// The nodes and where every pod runs, kept from the informers' changes and from the scheduler's own decisions:
/// a pod the scheduler placed is counted on its node at once ("assumed"), before its binding is stored and seen,
/// so the next decision does not give the same room away twice.
/// </summary>
internal sealed class SchedulingCache
{
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeOfPod = new(StringComparer.Ordinal);
    private readonly List<NodeInfo> _order = [];

    public Lock Sync { get; } = new();

    /// <summary>The nodes known, in a stable order (the scheduler starts each search where the last one stopped).</summary>
    public IReadOnlyList<NodeInfo> Nodes => _order;

    public void SetNode(string name, JsonObject node)
    {
        lock (Sync)
        {
            Info(name).SetNode(node);
        }
    }

    public void RemoveNode(string name)
    {
        lock (Sync)
        {
            if (_nodes.TryGetValue(name, out var info))
            {
                info.SetNode(null);
                if (!info.HasPods)
                {
                    _nodes.Remove(name);
                    _order.Remove(info);
                }
            }
        }
    }

    /// <summary>Counts a pod on a node, moving it there if it was counted elsewhere.</summary>
    public void AddPod(string key, string node, PodDemand demand)
    {
        lock (Sync)
        {
            RemovePodLocked(key);
            Info(node).AddPod(key, demand);
            _nodeOfPod[key] = node;
        }
    }

    public void RemovePod(string key)
    {
        lock (Sync)
        {
            RemovePodLocked(key);
        }
    }

    private void RemovePodLocked(string key)
    {
        if (!_nodeOfPod.Remove(key, out var node) || !_nodes.TryGetValue(node, out var info))
        {
            return;
        }
        info.RemovePod(key);
        if (info.Node is null && !info.HasPods)
        {
            _nodes.Remove(node);
            _order.Remove(info);
        }
    }

    private NodeInfo Info(string name)
    {
        if (!_nodes.TryGetValue(name, out var info))
        {
            _nodes[name] = info = new NodeInfo(name);
            _order.Add(info);
        }
        return info;
    }
}
