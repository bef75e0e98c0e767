using Berth.Kube.Controllers.Batch;

namespace Berth.Kube.Tests.Controllers.Batch;

public sealed class CronJobTimesTests
{
    private static readonly CronSchedule s_everyMinute = CronSchedule.Parse("* * * * *", TimeZoneInfo.Utc);
    private static readonly DateTimeOffset s_created = new(2026, 3, 2, 10, 0, 30, TimeSpan.Zero);

    [Fact]
    public void MostRecent_IsNothingBeforeTheFirstStartTime()
    {
        var (_, recent, missed) = CronJobTimes.MostRecent(s_everyMinute, s_created, null, null, s_created.AddSeconds(20));
        Assert.Null(recent);
        Assert.Equal(0, missed);
    }

    [Fact]
    public void MostRecent_IsTheLatestStartTimeNotAfterNow_WithTheMissedCount()
    {
        var now = new DateTimeOffset(2026, 3, 2, 10, 5, 10, TimeSpan.Zero);
        var (_, recent, missed) = CronJobTimes.MostRecent(s_everyMinute, s_created, null, null, now);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 5, 0, TimeSpan.Zero), recent);
        Assert.Equal(5, missed); // 10:01 … 10:05
    }

    [Fact]
    public void MostRecent_CountsFromTheLastScheduleTime()
    {
        var last = new DateTimeOffset(2026, 3, 2, 10, 4, 0, TimeSpan.Zero);
        var (_, recent, missed) = CronJobTimes.MostRecent(s_everyMinute, s_created, last, null, last.AddSeconds(70));
        Assert.Equal(last.AddMinutes(1), recent);
        Assert.Equal(1, missed);
    }

    [Fact]
    public void MostRecent_LooksNoFurtherBackThanTheStartingDeadline()
    {
        // down for a day: without a deadline that is 1440 missed starts (too many); with 200 s only the last 3 count
        var now = s_created.AddDays(1);
        Assert.True(CronJobTimes.MostRecent(s_everyMinute, s_created, null, null, now).Missed > CronJobTimes.TooManyMissed);
        var (earliest, recent, missed) = CronJobTimes.MostRecent(s_everyMinute, s_created, null, 200, now);
        Assert.Equal(now.AddSeconds(-200), earliest);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 10, 0, 0, TimeSpan.Zero), recent);
        Assert.Equal(3, missed);
    }

    [Fact]
    public void MostRecent_FindsTheLastStartOfAnUnevenSchedule()
    {
        // 06:30, 10:30, 14:30 on weekdays: from Friday morning to Monday noon the last is Monday 10:30
        var schedule = CronSchedule.Parse("30 6-16/4 * * 1-5", TimeZoneInfo.Utc);
        var friday = new DateTimeOffset(2026, 2, 27, 7, 0, 0, TimeSpan.Zero);
        var (_, recent, _) = CronJobTimes.MostRecent(schedule, friday, null, null, new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 30, 0, TimeSpan.Zero), recent);
    }

    [Fact]
    public void UntilNext_IsTheNextStartTimeAndALittle()
    {
        var now = new DateTimeOffset(2026, 3, 2, 10, 5, 10, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(50) + CronJobTimes.NextScheduleDelta,
            CronJobTimes.UntilNext(s_everyMinute, s_created, new DateTimeOffset(2026, 3, 2, 10, 5, 0, TimeSpan.Zero), now));
    }

    [Fact]
    public void JobName_IsTheStartTimeInMinutesSinceTheEpoch()
    {
        Assert.Equal("backup-29540160", CronJobTimes.JobName("backup", new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero)));
    }
}
