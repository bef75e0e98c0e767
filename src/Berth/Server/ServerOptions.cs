using System.Net;

namespace Berth.Server;

internal sealed class ServerOptions
{
    /// <summary>The port LocalStack users already type for AWS endpoints.</summary>
    public const int DefaultPort = 4566;

    public required string DataDirectory { get; init; }

    public IPAddress Address { get; init; } = IPAddress.Loopback;

    public int Port { get; init; } = DefaultPort;

    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>The AWS account a new data folder is made with; null keeps the folder's (or 000000000000 for a new one).</summary>
    public string? AccountId { get; init; }

    /// <summary>The HTTPS port of the Kubernetes API.</summary>
    public int KubePort { get; init; } = Berth.Kube.KubeApiOptions.DefaultPort;

    public TimeSpan MetricResolution { get; init; } = Berth.Kube.KubeApiOptions.DefaultMetricResolution;

    public TimeSpan HorizontalPodAutoscalerSyncPeriod { get; init; } = Berth.Kube.KubeApiOptions.DefaultHorizontalPodAutoscalerSyncPeriod;

    /// <summary>How the node agents of EC2 instances run pods: <c>podman</c>, or <c>simulated</c> for scale tests.</summary>
    public string InstanceRuntime { get; init; } = "podman";

    public string StorePath => Path.Combine(DataDirectory, "berth.db");
}
