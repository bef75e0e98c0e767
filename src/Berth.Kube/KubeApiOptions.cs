using System.Net;

namespace Berth.Kube;

public sealed class KubeApiOptions
{
    /// <summary>The port kube-apiserver uses; kubectl users know it.</summary>
    public const int DefaultPort = 6443;

    /// <summary>The cluster that exists from the first start, before any EKS cluster is created.</summary>
    public const string DefaultCluster = "default";

    public required string DataDirectory { get; init; }

    public IPAddress Address { get; init; } = IPAddress.Loopback;

    public int Port { get; init; } = DefaultPort;
}
