using Berth.Agent.Network;
using Berth.Agent.Services;

namespace Berth.Agent.Tests;

/// <summary>
/// The service proxy's table, rendered from Services of every kind and checked by the kernel's nftables itself
/// (<c>nft -c</c>: parsed and validated, committed nowhere), then read for what it must say.
/// </summary>
public sealed class NftablesRulesTests
{
    private static readonly ProxyEndpoint s_a = new("10.190.1.2", 8080, "node-a");
    private static readonly ProxyEndpoint s_b = new("10.190.2.2", 8080, "node-b");

    private static ProxyState State(params ProxyServicePort[] ports) => new("10.190.0.0/16", "berth-10-190", ports,
        [new ProxyNode("node-a", "127.10.0.1", Ready: true), new ProxyNode("node-b", "127.10.0.2", Ready: false)], new ClusterDnsTarget("10.100.0.10", 40053));

    private static ProxyServicePort Port(string name, IReadOnlyList<ProxyEndpoint> endpoints, int? nodePort = null, string[]? balancers = null,
        bool local = false, int? affinity = null) =>
        new("default", name, "tcp", 80, ["10.100.7.7"], nodePort, balancers ?? [], local, affinity, endpoints);

    [Fact]
    public async Task EveryKindOfService_RendersATableNftablesAccepts()
    {
        var table = NftablesRules.Render(State(
            Port("web", [s_a, s_b], nodePort: 30080, balancers: ["127.190.0.1"], affinity: 10800),
            Port("local", [s_a, s_b], nodePort: 30081, balancers: ["127.190.0.2"], local: true) with { ClusterIps = ["10.100.7.8"] },
            Port("empty", [], nodePort: 30082, balancers: ["127.190.0.3"]) with { ClusterIps = ["10.100.7.9"] },
            new ProxyServicePort("kube-system", "udp-thing", "udp", 53, ["10.100.7.10"], null, [], false, null, [s_a with { Port = 5353 }])));

        await HostCommand.RunAsync("nft", ["-c", "-f", "-"], table.Declaration, TestContext.Current.CancellationToken);

        var text = table.Declaration;
        // cluster IPs for the cluster's pods only; node ports and load balancers for the host
        Assert.Contains("ip saddr 10.190.0.0/16 ip daddr . meta l4proto . th dport vmap @cluster-ips", text, StringComparison.Ordinal);
        Assert.Contains("10.100.7.7 . tcp . 80 : goto svc-default/web/tcp/80", text, StringComparison.Ordinal);
        Assert.Contains("numgen random mod 2 vmap { 0 : goto ep-default/web/tcp/80/10.190.1.2/8080, 1 : goto ep-default/web/tcp/80/10.190.2.2/8080 }", text, StringComparison.Ordinal);
        Assert.Contains("127.10.0.1 . tcp . 30080 : goto ext-default/web/tcp/80", text, StringComparison.Ordinal);
        Assert.Contains("127.10.0.2 . tcp . 30080 : goto ext-default/web/tcp/80", text, StringComparison.Ordinal);
        // the load balancer's targets are on Ready nodes only: node-b is not
        Assert.Contains("chain lb-default/web/tcp/80 {", text, StringComparison.Ordinal);
        Assert.Contains("goto ep-default/web/tcp/80/10.190.1.2/8080\n  }", text[text.IndexOf("chain lb-default/web/tcp/80 {", StringComparison.Ordinal)..], StringComparison.Ordinal);
        // ClientIP affinity: a set per endpoint, consulted before the random pick
        Assert.Contains("ip saddr @affinity-default/web/tcp/80/10.190.1.2/8080/10800 goto ep-default/web/tcp/80/10.190.1.2/8080", text, StringComparison.Ordinal);
        Assert.Contains("update @affinity-default/web/tcp/80/10.190.1.2/8080/10800 { ip saddr }", text, StringComparison.Ordinal);
        // externalTrafficPolicy Local: each node's port goes to its own endpoints
        Assert.Contains("127.10.0.2 . tcp . 30081 : goto ext-default/local/tcp/80/node-b", text, StringComparison.Ordinal);
        Assert.Contains("goto local-default/local/tcp/80/node-b", text, StringComparison.Ordinal);
        // no endpoints: rejected, wherever it is reached
        Assert.Contains("10.100.7.9 . tcp . 80 : goto no-endpoints", text, StringComparison.Ordinal);
        Assert.Contains("127.190.0.3 . tcp . 80 : goto no-endpoints", text, StringComparison.Ordinal);
        Assert.Contains("127.10.0.1 . tcp . 30082 : goto no-endpoints", text, StringComparison.Ordinal);
        // the cluster DNS Service goes to the listener on loopback
        Assert.Contains("10.100.0.10 . udp . 53 : goto dns-udp", text, StringComparison.Ordinal);
        Assert.Contains("meta l4proto udp dnat to 127.0.0.1:40053", text, StringComparison.Ordinal);
        Assert.Contains("meta l4proto udp dnat to 10.190.1.2:5353", text, StringComparison.Ordinal);
        Assert.Contains("chain ep-default/web/tcp/80/10.190.1.2/8080", text, StringComparison.Ordinal);
        Assert.Contains("ep-default/web/tcp/80/10.190.1.2/8080", table.Chains);
        Assert.Contains("affinity-default/web/tcp/80/10.190.1.2/8080/10800", table.Sets);
    }

    [Fact]
    public async Task AClusterWithoutServices_RendersItsBaseChains()
    {
        var table = NftablesRules.Render(new ProxyState("10.190.0.0/16", "berth-10-190", [], [], null));
        await HostCommand.RunAsync("nft", ["-c", "-f", "-"], table.Declaration, TestContext.Current.CancellationToken);
        Assert.Equal(["filter-forward", "filter-output", "nat-output", "nat-postrouting", "nat-prerouting", "no-endpoints"], table.Chains.Order());
    }
}
