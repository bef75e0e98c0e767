namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// Which scheduled time a CronJob is due to start, as Kubernetes' CronJob controller reckons it: the latest one
/// not after now, from its last schedule (or creation), no earlier than its starting deadline allows, and how many
/// were missed.
/// </summary>
internal static class CronJobTimes
{
    /// <summary>How many missed start times Kubernetes reports as too many: a clock gone wrong, not a controller that was down.</summary>
    public const long TooManyMissed = 100;

    /// <summary>The pause added to a next start time before looking again, so the time has surely come.</summary>
    public static readonly TimeSpan NextScheduleDelta = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The earliest time considered, the most recent start time in (earliest, now] if any, and how many start times
    /// fall in that range (counted as Kubernetes counts them: from the interval between the first two, so cheaply).
    /// </summary>
    public static (DateTimeOffset Earliest, DateTimeOffset? MostRecent, long Missed) MostRecent(CronSchedule schedule, DateTimeOffset created,
        DateTimeOffset? lastScheduled, long? startingDeadlineSeconds, DateTimeOffset now)
    {
        var earliest = lastScheduled ?? created;
        if (startingDeadlineSeconds is { } deadline && now.AddSeconds(-deadline) > earliest)
        {
            earliest = now.AddSeconds(-deadline); // nothing before this is started any more
        }
        var first = schedule.Next(earliest);
        if (first == DateTimeOffset.MaxValue || now < first)
        {
            return (earliest, null, 0);
        }
        var second = schedule.Next(first);
        if (now < second)
        {
            return (earliest, first, 1);
        }
        var between = (long)Math.Round((second - first).TotalSeconds);
        if (between < 1)
        {
            throw new FormatException("time difference between two schedules is less than 1 second");
        }
        var missed = (long)(now - first).TotalSeconds / between + 1;
        // one interval further back than the estimate, so that uneven schedules ("30 6-16/4 * * 1-5") are not overshot
        DateTimeOffset? mostRecent = null;
        for (var t = schedule.Next(first.AddSeconds((missed - 2) * between)); t <= now; t = schedule.Next(t))
        {
            mostRecent = t;
        }
        return (earliest, mostRecent, missed);
    }

    /// <summary>How long until the CronJob should be looked at again: its next start time after the most recent one, plus a little.</summary>
    public static TimeSpan? UntilNext(CronSchedule schedule, DateTimeOffset created, DateTimeOffset? lastScheduled, DateTimeOffset now)
    {
        var (earliest, mostRecent, _) = MostRecent(schedule, created, lastScheduled, null, now);
        var next = schedule.Next(mostRecent ?? earliest);
        return next == DateTimeOffset.MaxValue ? null : next + NextScheduleDelta - now;
    }

    /// <summary>The name of the Job for a start time, the same every time, so a start is never made twice: minutes since the epoch.</summary>
    public static string JobName(string cronJob, DateTimeOffset scheduled) => $"{cronJob}-{scheduled.ToUnixTimeSeconds() / 60}";
}
