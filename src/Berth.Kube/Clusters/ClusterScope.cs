namespace Berth.Kube.Clusters;

/// <summary>The cluster a service scope belongs to: every per-cluster service of the Kubernetes API is scoped to one.</summary>
internal sealed class ClusterScope
{
    private ClusterRecord? _record;

    public ClusterRecord Record
    {
        get => _record ?? throw new InvalidOperationException("The scope's cluster is not set.");
        set => _record = _record is null ? value : throw new InvalidOperationException("A scope serves one cluster.");
    }

    public string Name => Record.Name;
}
