using System.Net;

namespace Berth.Agent;

/// <summary>What a node agent is: the Node it registers, its resources, and the cluster it joins.</summary>
public sealed record AgentOptions
{
    /// <summary>The Node's name, unique in the cluster.</summary>
    public required string NodeName { get; init; }

    /// <summary>The kubeconfig of the cluster's Kubernetes API.</summary>
    public required string KubeconfigPath { get; init; }

    /// <summary>The node's address, on loopback (every 127.x.y.z is), shown as its InternalIP.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>CPU the node offers, in Kubernetes quantity form ("2", "1500m").</summary>
    public string Cpu { get; init; } = "2";

    /// <summary>Memory the node offers, in Kubernetes quantity form ("4Gi").</summary>
    public string Memory { get; init; } = "4Gi";

    public int MaxPods { get; init; } = 110;

    /// <summary>Labels the Node registers with, beside the well-known ones the agent sets itself.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>How pods run: <c>simulated</c> (no containers, as kwok's nodes) is the only runtime so far.</summary>
    public string Runtime { get; init; } = "simulated";
}
