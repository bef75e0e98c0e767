using System.Text.Json.Nodes;

namespace Berth.Kube.Scheduling;

/// <summary>
/// What a scheduling attempt may read of the whole cluster: every node with its pods, the labels of namespaces
/// (for namespace selectors in affinity terms), on how many nodes each image is (for image locality), and the
/// pods nominated to nodes by preemption, whose room a pod of no higher priority may not take.
/// </summary>
internal sealed class ClusterView(IReadOnlyList<NodeInfo> nodes, Func<string, JsonObject?>? namespaceLabels = null, Func<string, int>? nodesWithImage = null,
    IReadOnlyDictionary<string, List<CachedPod>>? nominated = null, IReadOnlyList<NodeInfo>? nodesWithAffinityPods = null)
{
    private IReadOnlyList<NodeInfo>? _nodesWithAffinityPods = nodesWithAffinityPods;

    public IReadOnlyList<NodeInfo> Nodes { get; } = nodes;

    /// <summary>The nodes holding pods with inter-pod affinity terms: all that a pod without such terms need read.</summary>
    public IReadOnlyList<NodeInfo> NodesWithAffinityPods => _nodesWithAffinityPods ??= [.. Nodes.Where(n => n.PodsWithAffinity > 0)];

    public Func<string, JsonObject?> NamespaceLabels { get; } = namespaceLabels ?? (_ => null);

    public Func<string, int> NodesWithImage { get; } = nodesWithImage ?? (image => nodes.Count(n => n.Images.ContainsKey(image)));

    /// <summary>The node as <paramref name="pod"/> is checked against it: with the pods of at least its priority nominated there.</summary>
    public NodeInfo ForFiltering(NodeInfo node, PodDemand pod)
    {
        if (nominated is null || !nominated.TryGetValue(node.Name, out var pods) || !pods.Any(p => Counts(p, pod)))
        {
            return node;
        }
        var copy = node.Clone();
        foreach (var nominee in pods.Where(p => Counts(p, pod)))
        {
            copy.AddPod(nominee.Key, nominee.Pod);
        }
        return copy;
    }

    private static bool Counts(CachedPod nominee, PodDemand pod) => nominee.Pod.Uid != pod.Uid && nominee.Pod.Priority >= pod.Priority;
}
