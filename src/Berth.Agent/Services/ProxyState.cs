namespace Berth.Agent.Services;

/// <summary>An address and port a Service's traffic can be sent to, and the node of its pod.</summary>
internal sealed record ProxyEndpoint(string Ip, int Port, string? NodeName);

/// <summary>
/// One port of one Service, with what the proxy needs of it: where it is reached (cluster IPs, a node port, load
/// balancer addresses) and its Ready endpoints. <see cref="LocalExternal"/> is <c>externalTrafficPolicy: Local</c>;
/// <see cref="AffinitySeconds"/> the timeout of <c>sessionAffinity: ClientIP</c>, null without affinity.
/// </summary>
internal sealed record ProxyServicePort(string Namespace, string Service, string Protocol, int Port, IReadOnlyList<string> ClusterIps,
    int? NodePort, IReadOnlyList<string> LoadBalancerIps, bool LocalExternal, int? AffinitySeconds, IReadOnlyList<ProxyEndpoint> Endpoints)
{
    /// <summary>A name unique in the cluster, made of characters nftables takes in chain and set names.</summary>
    public string Id => $"{Namespace}/{Service}/{Protocol}/{Port}";
}

/// <summary>A node's name, the address its node ports answer on, and whether it is Ready (a load balancer's health check).</summary>
internal sealed record ProxyNode(string Name, string Address, bool Ready);

/// <summary>
/// Everything the service proxy programs for one cluster: its pods' CIDR (whose traffic to cluster IPs is this
/// cluster's), its pod bridge, its Services' ports, its nodes, and the cluster DNS's address on loopback.
/// </summary>
internal sealed record ProxyState(string PodCidr, string Bridge, IReadOnlyList<ProxyServicePort> Ports, IReadOnlyList<ProxyNode> Nodes,
    ClusterDnsTarget? Dns);

/// <summary>Where queries to the cluster DNS Service (<paramref name="ServiceIp"/>, port 53) are sent: a listener on loopback.</summary>
internal sealed record ClusterDnsTarget(string ServiceIp, int Port);
