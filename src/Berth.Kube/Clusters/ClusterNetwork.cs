namespace Berth.Kube.Clusters;

/// <summary>The address ranges every served cluster uses, as EKS gives a cluster by default.</summary>
public static class ClusterNetwork
{
    /// <summary>The range Services' cluster IPs are taken from.</summary>
    public const string ServiceCidr = "10.100.0.0/16";
}
