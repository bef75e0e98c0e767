namespace Berth.Kube.Controllers.Autoscaling;

/// <summary>
/// A metric that could not be turned into a replica count: the reason of the event and of the ScalingActive
/// condition (FailedGetResourceMetric, …) and the error, in kube-controller-manager's words.
/// </summary>
internal sealed class MetricFailure(string reason, string message, Exception? inner = null) : Exception(inner is null ? message : $"{message}: {inner.Message}", inner)
{
    public string Reason { get; } = reason;
}
