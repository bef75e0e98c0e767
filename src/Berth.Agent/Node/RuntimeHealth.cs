using Berth.Agent.Runtime;

namespace Berth.Agent.Node;

/// <summary>
/// Whether the container runtime answers, as the kubelet's runtime state tracks it: checked every few seconds,
/// and reported down once it has not answered for <see cref="Threshold"/>, so one slow answer does not make the
/// node flap. The check lists the runtime's images, which the node status reports.
/// </summary>
internal sealed class RuntimeHealth(IContainerRuntime runtime, TimeProvider time)
{
    /// <summary>How long the runtime may go unanswered before the node is not ready (the kubelet's 30 s).</summary>
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(30);

    private long _lastAnsweredTicks; // UTC ticks; 0 before the first answer

    /// <summary>The runtime's images at its last answer.</summary>
    public IReadOnlyList<ImageSummary> Images { get; private set; } = [];

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        Images = await runtime.ListImagesAsync(cancellationToken);
        Interlocked.Exchange(ref _lastAnsweredTicks, time.GetUtcNow().UtcTicks);
    }

    /// <summary>Why the node is not ready for pods, in the kubelet's words, or null while the runtime answers.</summary>
    public string? Problem
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastAnsweredTicks);
            if (ticks == 0)
            {
                return "container runtime status check may not have completed yet";
            }
            return time.GetUtcNow().UtcTicks - ticks > Threshold.Ticks ? "container runtime is down" : null;
        }
    }
}
