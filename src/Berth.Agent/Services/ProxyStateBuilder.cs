using k8s.Models;

namespace Berth.Agent.Services;

/// <summary>
/// Reads what the proxy programs from the cluster's objects, as kube-proxy does: each port of each Service with a
/// cluster IP, its endpoints from the Service's EndpointSlices (the Ready ones, whose slice port has the Service
/// port's name), and the nodes' addresses for node ports. The cluster DNS Service (<c>kube-system/kube-dns</c>) is
/// sent to Berth's DNS server while no pod of its own serves it.
/// </summary>
internal static class ProxyStateBuilder
{
    private const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary><c>sessionAffinityConfig.clientIP.timeoutSeconds</c> when not given: three hours.</summary>
    private const int DefaultAffinitySeconds = 10800;

    /// <summary>The Service pods resolve names with, as EKS names it.</summary>
    public const string DnsNamespace = "kube-system";

    public const string DnsService = "kube-dns";

    public static ProxyState Build(string podCidr, string bridge, IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices,
        IEnumerable<V1Node> nodes, int? dnsPort)
    {
        ClusterDnsTarget? dns = null;
        var byService = slices.Where(s => s.AddressType == "IPv4" && s.Metadata.Labels?.TryGetValue(ServiceNameLabel, out _) == true)
            .ToLookup(s => (s.Metadata.NamespaceProperty, s.Metadata.Labels[ServiceNameLabel]));
        var ports = new List<ProxyServicePort>();
        foreach (var service in services)
        {
            var spec = service.Spec;
            if (spec?.ClusterIP is null or "" or "None" || spec.Type == "ExternalName")
            {
                continue;
            }
            var ns = service.Metadata.NamespaceProperty;
            var own = byService[(ns, service.Metadata.Name)].ToList();
            var balancers = service.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip).OfType<string>().ToList() ?? [];
            int? affinity = spec.SessionAffinity == "ClientIP" ? spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? DefaultAffinitySeconds : null;
            if (dnsPort is { } port53 && ns == DnsNamespace && service.Metadata.Name == DnsService
                && (spec.Ports ?? []).All(p => Endpoints(own, p.Name, (p.Protocol ?? "TCP").ToLowerInvariant()).Count == 0))
            {
                dns = new ClusterDnsTarget(spec.ClusterIP, port53);
                continue;
            }
            foreach (var port in spec.Ports ?? [])
            {
                var protocol = (port.Protocol ?? "TCP").ToLowerInvariant();
                ports.Add(new ProxyServicePort(ns, service.Metadata.Name, protocol, port.Port,
                    [.. (spec.ClusterIPs ?? [spec.ClusterIP]).Where(ip => ip is not null and not "None")],
                    spec.Type is "NodePort" or "LoadBalancer" ? port.NodePort : null,
                    spec.Type == "LoadBalancer" ? balancers : [],
                    spec.ExternalTrafficPolicy == "Local" && spec.Type is "NodePort" or "LoadBalancer",
                    affinity,
                    Endpoints(own, port.Name, protocol)));
            }
        }
        var proxyNodes = nodes.Select(n => (Node: n, Address: n.Status?.Addresses?.FirstOrDefault(a => a.Type == "InternalIP")?.Address))
            .Where(n => n.Address is not null)
            .Select(n => new ProxyNode(n.Node.Metadata.Name, n.Address!,
                n.Node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        return new ProxyState(podCidr, bridge, ports, proxyNodes, dns);
    }

    /// <summary>The Ready endpoints of the slices' port named <paramref name="name"/> (unnamed for a Service's only port).</summary>
    private static List<ProxyEndpoint> Endpoints(List<V1EndpointSlice> slices, string? name, string protocol)
    {
        var endpoints = new List<ProxyEndpoint>();
        foreach (var slice in slices)
        {
            var port = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == (name ?? "") && (p.Protocol ?? "TCP").Equals(protocol, StringComparison.OrdinalIgnoreCase));
            if (port?.Port is not { } number)
            {
                continue;
            }
            // a nil ready condition counts as ready, as the EndpointSlice API says
            endpoints.AddRange(slice.Endpoints?.Where(e => e.Conditions?.Ready != false && e.Addresses is { Count: > 0 })
                .Select(e => new ProxyEndpoint(e.Addresses[0], number, e.NodeName)) ?? []);
        }
        return [.. endpoints.DistinctBy(e => (e.Ip, e.Port)).OrderBy(e => e.Ip, StringComparer.Ordinal).ThenBy(e => e.Port)];
    }
}
