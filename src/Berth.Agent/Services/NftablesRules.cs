using System.Globalization;
using System.Text;

namespace Berth.Agent.Services;

/// <summary>
/// The nftables table of one cluster's Services, as kube-proxy's nftables mode lays it out, rendered from a
/// <see cref="ProxyState"/>. Verdict maps keyed by address, protocol and port send new connections to a chain per
/// Service port, which picks a Ready endpoint at random (<c>numgen</c>), or the one a client had within the affinity
/// timeout, and translates the destination to it. Cluster IPs are matched only for the cluster's own pods (every
/// cluster has the same service range); node ports and load-balancer addresses are on 127/8 and matched for the host.
/// Connections a pod makes to itself through its Service, and the host's (from 127/8), are masqueraded so the replies
/// come back the way they went, and so is what the pods send out of the pod network (the pod network's masquerade, one
/// rule for the cluster). A Service port without endpoints is rejected rather than left to time out (looked up
/// for a connection's first packet only, so established traffic passes the filter hooks with one conntrack test).
/// </summary>
internal static class NftablesRules
{
    /// <summary>The packet mark that asks for masquerading, kube-proxy's bit.</summary>
    private const string MasqueradeMark = "0x4000";

    /// <summary>The table of the cluster whose pods use <paramref name="bridge"/>, named alike (<c>berth-10-130</c>).</summary>
    public static string TableName(string bridge) => bridge;

    /// <summary>What a rendered table declares: its text, and the chains and sets in it (others are deleted).</summary>
    public sealed record Table(string Declaration, IReadOnlySet<string> Chains, IReadOnlySet<string> Sets);

    public static Table Render(ProxyState state)
    {
        var chains = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var affinity = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var clusterIps = new List<string>();
        var external = new List<string>();
        var clusterRejects = new List<string>();
        var externalRejects = new List<string>();
        var readyNodes = state.Nodes.Where(n => n.Ready).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);

        foreach (var port in state.Ports.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var key = $"{port.Protocol} . {port.Port.ToString(CultureInfo.InvariantCulture)}";
            foreach (var endpoint in port.Endpoints)
            {
                chains[EndpointChain(port, endpoint)] = EndpointRules(port, endpoint, affinity);
            }
            // the cluster IPs, for the cluster's pods
            var all = Balance(chains, "svc-" + port.Id, port, port.Endpoints);
            foreach (var ip in port.ClusterIps)
            {
                (all ? clusterIps : clusterRejects).Add($"{ip} . {key} : goto {(all ? "svc-" + port.Id : "no-endpoints")}");
            }
            // the load balancer's targets: Ready endpoints on Ready nodes, as its health checks find them
            var healthy = port.Endpoints.Where(e => e.NodeName is null || readyNodes.Contains(e.NodeName)).ToList();
            if (port.LoadBalancerIps.Count > 0)
            {
                var any = Balance(chains, "lb-" + port.Id, port, healthy);
                if (any)
                {
                    chains["ext-lb-" + port.Id] = [$"meta mark set meta mark | {MasqueradeMark}", $"goto lb-{port.Id}"];
                }
                foreach (var ip in port.LoadBalancerIps)
                {
                    (any ? external : externalRejects).Add($"{ip} . {key} : goto {(any ? "ext-lb-" + port.Id : "no-endpoints")}");
                }
            }
            if (port.NodePort is not { } nodePort)
            {
                continue;
            }
            var nodeKey = $"{port.Protocol} . {nodePort.ToString(CultureInfo.InvariantCulture)}";
            foreach (var node in state.Nodes)
            {
                // externalTrafficPolicy Local: a node sends only to its own endpoints, and drops what it has none for
                var (target, any) = port.LocalExternal
                    ? ($"local-{port.Id}/{node.Name}", Balance(chains, $"local-{port.Id}/{node.Name}", port, [.. port.Endpoints.Where(e => e.NodeName == node.Name)]))
                    : ("svc-" + port.Id, all);
                var chain = port.LocalExternal ? $"ext-{port.Id}/{node.Name}" : $"ext-{port.Id}";
                if (!any && !port.LocalExternal)
                {
                    externalRejects.Add($"{node.Address} . {nodeKey} : goto no-endpoints");
                    continue;
                }
                chains[chain] = any ? [$"meta mark set meta mark | {MasqueradeMark}", $"goto {target}"] : ["drop"];
                external.Add($"{node.Address} . {nodeKey} : goto {chain}");
            }
        }
        if (state.Dns is { } dns)
        {
            foreach (var protocol in new[] { "udp", "tcp" })
            {
                chains["dns-" + protocol] = [$"meta l4proto {protocol} dnat to 127.0.0.1:{dns.Port.ToString(CultureInfo.InvariantCulture)}"];
                clusterIps.Add($"{dns.ServiceIp} . {protocol} . 53 : goto dns-{protocol}");
            }
        }
        chains["no-endpoints"] = ["reject"];

        var text = new StringBuilder();
        text.Append("table ip ").Append(TableName(state.Bridge)).Append(" {\n");
        Map(text, "cluster-ips", clusterIps);
        Map(text, "external", external);
        Map(text, "cluster-no-endpoints", clusterRejects);
        Map(text, "external-no-endpoints", externalRejects);
        foreach (var (name, seconds) in affinity)
        {
            text.Append("  set ").Append(name).Append(" {\n    type ipv4_addr; flags dynamic,timeout; timeout ")
                .Append(seconds.ToString(CultureInfo.InvariantCulture)).Append("s;\n  }\n");
        }
        Chain(text, "nat-prerouting", "type nat hook prerouting priority -110; policy accept;",
            [$"ip saddr {state.PodCidr} ip daddr . meta l4proto . th dport vmap @cluster-ips"]);
        Chain(text, "nat-output", "type nat hook output priority -110; policy accept;", ["ip daddr . meta l4proto . th dport vmap @external"]);
        // and the pods' own traffic leaving the pod network, as the CNI bridge plugin's ipMasq would per pod
        Chain(text, "nat-postrouting", "type nat hook postrouting priority 90; policy accept;",
            [$"meta mark & {MasqueradeMark} == {MasqueradeMark} masquerade", $"ip saddr {state.PodCidr} ip daddr != {state.PodCidr} masquerade"]);
        Chain(text, "filter-forward", "type filter hook forward priority -10; policy accept;",
            [$"ct state new ip saddr {state.PodCidr} ip daddr . meta l4proto . th dport vmap @cluster-no-endpoints"]);
        Chain(text, "filter-output", "type filter hook output priority -10; policy accept;", ["ct state new ip daddr . meta l4proto . th dport vmap @external-no-endpoints"]);
        foreach (var (name, rules) in chains)
        {
            Chain(text, name, null, rules);
        }
        text.Append("}\n");
        string[] hooks = ["nat-prerouting", "nat-output", "nat-postrouting", "filter-forward", "filter-output"];
        return new Table(text.ToString(), new HashSet<string>([.. chains.Keys, .. hooks], StringComparer.Ordinal),
            new HashSet<string>(affinity.Keys, StringComparer.Ordinal));
    }

    private static string EndpointChain(ProxyServicePort port, ProxyEndpoint endpoint) =>
        $"ep-{port.Id}/{endpoint.Ip}/{endpoint.Port.ToString(CultureInfo.InvariantCulture)}";

    private static List<string> EndpointRules(ProxyServicePort port, ProxyEndpoint endpoint, SortedDictionary<string, int> affinity)
    {
        // a pod reaching itself through its Service: masqueraded, or its reply would not pass the translation back
        var rules = new List<string> { $"ip saddr {endpoint.Ip} meta mark set meta mark | {MasqueradeMark}" };
        if (port.AffinitySeconds is { } seconds)
        {
            var set = AffinitySet(port, endpoint);
            affinity[set] = seconds;
            rules.Add($"update @{set} {{ ip saddr }}");
        }
        rules.Add($"meta l4proto {port.Protocol} dnat to {endpoint.Ip}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}");
        return rules;
    }

    private static string AffinitySet(ProxyServicePort port, ProxyEndpoint endpoint) =>
        $"affinity-{port.Id}/{endpoint.Ip}/{endpoint.Port.ToString(CultureInfo.InvariantCulture)}/{port.AffinitySeconds!.Value.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Declares chain <paramref name="name"/> choosing among <paramref name="endpoints"/>; false (and no chain) when there is none.</summary>
    private static bool Balance(SortedDictionary<string, List<string>> chains, string name, ProxyServicePort port, IReadOnlyList<ProxyEndpoint> endpoints)
    {
        if (endpoints.Count == 0)
        {
            return false;
        }
        var rules = new List<string>();
        if (port.AffinitySeconds is not null)
        {
            rules.AddRange(endpoints.Select(e => $"ip saddr @{AffinitySet(port, e)} goto {EndpointChain(port, e)}"));
        }
        rules.Add(endpoints.Count == 1
            ? $"goto {EndpointChain(port, endpoints[0])}"
            : $"numgen random mod {endpoints.Count.ToString(CultureInfo.InvariantCulture)} vmap {{ "
                + string.Join(", ", endpoints.Select((e, i) => $"{i.ToString(CultureInfo.InvariantCulture)} : goto {EndpointChain(port, e)}")) + " }");
        chains[name] = rules;
        return true;
    }

    private static void Map(StringBuilder text, string name, List<string> elements)
    {
        text.Append("  map ").Append(name).Append(" {\n    type ipv4_addr . inet_proto . inet_service : verdict\n");
        if (elements.Count > 0)
        {
            text.Append("    elements = {\n");
            foreach (var element in elements)
            {
                text.Append("      ").Append(element).Append(",\n");
            }
            text.Append("    }\n");
        }
        text.Append("  }\n");
    }

    private static void Chain(StringBuilder text, string name, string? hook, IEnumerable<string> rules)
    {
        text.Append("  chain ").Append(name).Append(" {\n");
        if (hook is not null)
        {
            text.Append("    ").Append(hook).Append('\n');
        }
        foreach (var rule in rules)
        {
            text.Append("    ").Append(rule).Append('\n');
        }
        text.Append("  }\n");
    }
}
