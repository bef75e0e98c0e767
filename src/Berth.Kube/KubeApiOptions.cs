using System.Net;

namespace Berth.Kube;

public sealed class KubeApiOptions
{
    /// <summary>The port kube-apiserver uses; kubectl users know it.</summary>
    public const int DefaultPort = 6443;

    /// <summary>The cluster that exists from the first start, before any EKS cluster is created.</summary>
    public const string DefaultCluster = "default";

    public static readonly TimeSpan DefaultMetricResolution = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan DefaultHorizontalPodAutoscalerSyncPeriod = TimeSpan.FromSeconds(15);

    public required string DataDirectory { get; init; }

    public IPAddress Address { get; init; } = IPAddress.Loopback;

    public int Port { get; init; } = DefaultPort;

    /// <summary>
    /// Where the installations of this machine claim the pod /16s their bridges route: one folder for all of them (a
    /// test's own folder keeps its claims apart from the machine's).
    /// </summary>
    public string PodCidrClaims { get; init; } = Path.Combine(Path.GetTempPath(), "berth-pod-cidrs");

    /// <summary>How often node agents are read for resource metrics while they are wanted (metrics-server's <c>--metric-resolution</c>).</summary>
    public TimeSpan MetricResolution { get; init; } = DefaultMetricResolution;

    /// <summary>How often each HorizontalPodAutoscaler is reconciled (kube-controller-manager's <c>--horizontal-pod-autoscaler-sync-period</c>).</summary>
    public TimeSpan HorizontalPodAutoscalerSyncPeriod { get; init; } = DefaultHorizontalPodAutoscalerSyncPeriod;
}
