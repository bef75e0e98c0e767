using System.Net;
using Berth.Agent.Pods;
using k8s.Models;

namespace Berth.Agent.Tests;

/// <summary>A pod's resolv.conf from its dnsPolicy and dnsConfig, as the kubelet writes it.</summary>
public sealed class PodDnsTests
{
    private static readonly AgentOptions s_options = new() { NodeName = "n", KubeconfigPath = "", RootDirectory = "", ClusterDns = IPAddress.Parse("10.100.0.10") };
    private static readonly HostResolvConf s_host = new(["10.255.255.53"], ["corp.example"], ["timeout:2"]);

    private static V1Pod Pod(string? policy = null, bool hostNetwork = false, V1PodDNSConfig? config = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "shop" },
        Spec = new V1PodSpec { DnsPolicy = policy, HostNetwork = hostNetwork, DnsConfig = config, Containers = [] },
    };

    [Fact]
    public void ClusterFirst_IsTheClusterDnsWithTheNamespacesSearchPath()
    {
        var dns = PodDns.For(Pod(), s_options, s_host)!;
        Assert.Equal(["10.100.0.10"], dns.Nameservers);
        Assert.Equal(["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], dns.Searches);
        Assert.Equal(["ndots:5"], dns.Options);
    }

    [Fact]
    public void OnTheHostsNetwork_ClusterFirstIsTheHostsFile_UnlessWithHostNet()
    {
        Assert.Null(PodDns.For(Pod(hostNetwork: true), s_options, s_host));
        Assert.Null(PodDns.For(Pod("Default"), s_options, s_host));
        Assert.Equal(["10.100.0.10"], PodDns.For(Pod("ClusterFirstWithHostNet", hostNetwork: true), s_options, s_host)!.Nameservers);
    }

    [Fact]
    public void DnsConfig_AddsToThePolicy_AndIsAllOfNone()
    {
        var config = new V1PodDNSConfig
        {
            Nameservers = ["192.0.2.1", "192.0.2.2", "192.0.2.3"],
            Searches = ["extra.example"],
            Options = [new V1PodDNSConfigOption { Name = "ndots", Value = "2" }, new V1PodDNSConfigOption { Name = "edns0" }],
        };
        var merged = PodDns.For(Pod(config: config), s_options, s_host)!;
        Assert.Equal(["10.100.0.10", "192.0.2.1", "192.0.2.2"], merged.Nameservers); // three at most
        Assert.Equal("extra.example", merged.Searches[^1]);
        Assert.Equal(["ndots:2", "edns0"], merged.Options);

        var none = PodDns.For(Pod("None", config: config), s_options, s_host)!;
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.3"], none.Nameservers);
        Assert.Equal(["extra.example"], none.Searches);
        Assert.Equal(["10.255.255.53"], PodDns.For(Pod("Default", config: new V1PodDNSConfig { Searches = ["x.example"] }), s_options, s_host)!.Nameservers);
    }
}
