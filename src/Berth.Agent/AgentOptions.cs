using System.Globalization;
using System.Net;
using k8s.Models;

namespace Berth.Agent;

/// <summary>What a node agent is: the Node it registers, its resources, the cluster it joins, and how it runs containers.</summary>
public sealed record AgentOptions
{
    /// <summary>The Node's name, unique in the cluster.</summary>
    public required string NodeName { get; init; }

    /// <summary>The kubeconfig of the cluster's Kubernetes API.</summary>
    public required string KubeconfigPath { get; init; }

    /// <summary>The agent's own directory: pods' volumes live under it.</summary>
    public required string RootDirectory { get; init; }

    /// <summary>The node's address, on loopback (every 127.x.y.z is), shown as its InternalIP.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// The port of the agent's HTTPS endpoint on <see cref="Address"/>, which the API server reaches for logs and exec
    /// (the kubelet's 10250); 0 takes any free one, and the Node's <c>daemonEndpoints</c> say which.
    /// </summary>
    public int Port { get; init; } = 10250;

    /// <summary>CPU the node offers, in Kubernetes quantity form ("2", "1500m").</summary>
    public string Cpu { get; init; } = "2";

    /// <summary>Memory the node offers, in Kubernetes quantity form ("4Gi").</summary>
    public string Memory { get; init; } = "4Gi";

    public int MaxPods { get; init; } = 110;

    /// <summary>The cluster DNS Service's address EKS gives it: the tenth of the service range.</summary>
    public static readonly IPAddress DefaultClusterDns = IPAddress.Parse("10.100.0.10");

    public const string DefaultClusterDomain = "cluster.local";

    /// <summary>The nameserver of pods whose <c>dnsPolicy</c> is ClusterFirst: the cluster DNS Service (the kubelet's <c>clusterDNS</c>).</summary>
    public IPAddress ClusterDns { get; init; } = DefaultClusterDns;

    /// <summary>The cluster's DNS domain, pods' search domains end in it (the kubelet's <c>clusterDomain</c>).</summary>
    public string ClusterDomain { get; init; } = DefaultClusterDomain;

    /// <summary>The images a simulated runtime says it holds (and the Node reports); a real runtime lists its own.</summary>
    public IReadOnlyList<Runtime.ImageSummary> SimulatedImages { get; init; } = [];

    /// <summary>Labels the Node registers with, beside the well-known ones the agent sets itself.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Taints the Node registers with, as the kubelet's <c>--register-with-taints</c>.</summary>
    public IReadOnlyList<k8s.Models.V1Taint> Taints { get; init; } = [];

    /// <summary>
    /// How pods run: <c>podman</c> (the Docker Engine API of a Podman service, started by the agent when none answers
    /// at <see cref="ContainerRuntimeEndpoint"/>), <c>docker</c> (a Docker Engine API already serving there), or
    /// <c>simulated</c> (no containers, as kwok's nodes).
    /// </summary>
    public string Runtime { get; init; } = "podman";

    /// <summary>Where the Docker Engine API is served, as a <c>unix://</c> or <c>tcp://</c> address.</summary>
    public Uri ContainerRuntimeEndpoint { get; init; } = new("unix:///var/run/docker.sock");

    /// <summary>
    /// The folder of the Podman service the agent keeps running (starting it, and starting it again when it stops);
    /// null when the runtime at <see cref="ContainerRuntimeEndpoint"/> is someone else's to run.
    /// </summary>
    public string? ManagedPodmanDirectory { get; init; }

    /// <summary>What the node offers pods: its CPU, memory and pod count, as its capacity and allocatable.</summary>
    public IReadOnlyDictionary<string, ResourceQuantity> Allocatable => new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
    {
        ["cpu"] = new(Cpu),
        ["memory"] = new(Memory),
        ["pods"] = new(MaxPods.ToString(CultureInfo.InvariantCulture)),
    };
}
