using System.Globalization;
using System.Net;

namespace Berth.Kube.Clusters;

/// <summary>
/// The address ranges of served clusters. Services take their cluster IPs from one range, as EKS gives a cluster by
/// default. Pods take theirs from the cluster's own /16 of Berth's pod pool (<c>10.128.0.0/10</c>, so that the
/// clusters' bridges on one machine never overlap), and within it from their node's /24, as kube-controller-manager's
/// node IPAM gives each node a slice of the cluster CIDR. The first /24 holds the bridge's gateway and is no node's.
/// LoadBalancer Services take addresses of the loopback /16 that mirrors the cluster's pod /16 (<c>10.130.0.0/16</c>
/// → <c>127.130.0.0/16</c>): reachable from the host without setup, and unique on the machine as the pod CIDR is.
/// </summary>
public static class ClusterNetwork
{
    /// <summary>The range Services' cluster IPs are taken from.</summary>
    public const string ServiceCidr = "10.100.0.0/16";

    /// <summary>The cluster DNS Service's address, the tenth of the range as EKS has it; node agents give it to pods.</summary>
    public const string DnsServiceIp = "10.100.0.10";

    /// <summary>How many clusters the pod pool has a /16 for.</summary>
    public const int PodCidrCount = 64;

    /// <summary>How many nodes a cluster's /16 has a /24 for (1 to 255; 0 is the gateway's).</summary>
    public const int NodeCidrCount = 255;

    /// <summary>The pod CIDR of the cluster given the <paramref name="index"/>th /16 of the pool.</summary>
    public static string ClusterPodCidr(int index) => $"10.{(128 + index).ToString(CultureInfo.InvariantCulture)}.0.0/16";

    /// <summary>The <paramref name="index"/>th /24 (1 to 255) of a cluster's pod CIDR: a node's pod CIDR.</summary>
    public static string NodePodCidr(string clusterCidr, int index)
    {
        var octets = IPNetwork.Parse(clusterCidr).BaseAddress.GetAddressBytes();
        return $"{octets[0]}.{octets[1]}.{index.ToString(CultureInfo.InvariantCulture)}.0/24";
    }

    /// <summary>Which /24 of its cluster's CIDR a node's pod CIDR is; null when it is not one.</summary>
    public static int? NodePodCidrIndex(string? nodeCidr) =>
        nodeCidr is not null && IPNetwork.TryParse(nodeCidr, out var network) && network.PrefixLength == 24 ? network.BaseAddress.GetAddressBytes()[2] : null;

    /// <summary>The loopback range a cluster's load balancers take their addresses from, mirroring its pod CIDR.</summary>
    public static IPNetwork LoadBalancerRange(string clusterCidr)
    {
        var octets = IPNetwork.Parse(clusterCidr).BaseAddress.GetAddressBytes();
        return new IPNetwork(new IPAddress([127, octets[1], 0, 0]), 16);
    }
}
