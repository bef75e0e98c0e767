using System.Collections.Concurrent;

namespace Berth.Kube.Clusters;

/// <summary>The clusters the server serves now, by name; the cluster host adds and removes them.</summary>
internal sealed class ServedClusters
{
    private readonly ConcurrentDictionary<string, ServedCluster> _clusters = new(StringComparer.Ordinal);

    public ServedCluster? Find(string name) => _clusters.GetValueOrDefault(name);

    internal void Add(ServedCluster cluster) => _clusters[cluster.Name] = cluster;

    internal ServedCluster? Remove(string name) => _clusters.TryRemove(name, out var cluster) ? cluster : null;

    internal IReadOnlyList<ServedCluster> All => [.. _clusters.Values];
}
