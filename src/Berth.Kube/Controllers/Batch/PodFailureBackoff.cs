namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// How long a Job waits before replacing failed pods, as Kubernetes' Job controller backs off: 10 s after the first
/// failure since the last success, doubling with each further one up to 10 minutes, counted from the last failure.
/// </summary>
internal sealed record PodFailureBackoff(int FailuresAfterLastSuccess, DateTimeOffset? LastFailure)
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(10);

    public static readonly PodFailureBackoff None = new(0, null);

    /// <summary>The record after pods newly seen to succeed and to fail, given when each finished.</summary>
    public PodFailureBackoff After(IReadOnlyCollection<DateTimeOffset> succeeded, IReadOnlyCollection<DateTimeOffset> failed)
    {
        if (succeeded.Count == 0)
        {
            return failed.Count == 0 ? this : new(FailuresAfterLastSuccess + failed.Count, failed.Max());
        }
        var lastSuccess = succeeded.Max();
        var later = failed.Where(f => f > lastSuccess).ToList();
        return later.Count == 0 ? None : new(later.Count, later.Max());
    }

    /// <summary>How long until a new pod may be made; zero when it may be made now.</summary>
    public TimeSpan Remaining(DateTimeOffset now)
    {
        if (FailuresAfterLastSuccess == 0 || LastFailure is not { } last)
        {
            return TimeSpan.Zero;
        }
        var delay = First;
        for (var i = 1; i < FailuresAfterLastSuccess && delay < Max; i++)
        {
            delay *= 2;
        }
        delay = delay > Max ? Max : delay;
        var elapsed = now - last;
        return elapsed >= delay ? TimeSpan.Zero : delay - elapsed;
    }
}
