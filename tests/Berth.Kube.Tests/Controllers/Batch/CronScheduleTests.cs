using Berth.Kube.Controllers.Batch;

namespace Berth.Kube.Tests.Controllers.Batch;

public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset s_monday = new(2026, 3, 2, 10, 17, 30, TimeSpan.Zero);

    [Theory]
    [InlineData("* * * * *", "2026-03-02T10:18:00Z")]
    [InlineData("*/15 * * * *", "2026-03-02T10:30:00Z")]
    [InlineData("0 9-17 * * MON-FRI", "2026-03-02T11:00:00Z")]
    [InlineData("0 0 1 jan *", "2027-01-01T00:00:00Z")]
    [InlineData("@hourly", "2026-03-02T11:00:00Z")]
    [InlineData("@daily", "2026-03-03T00:00:00Z")]
    [InlineData("@weekly", "2026-03-08T00:00:00Z")]
    [InlineData("@monthly", "2026-04-01T00:00:00Z")]
    [InlineData("@yearly", "2027-01-01T00:00:00Z")]
    [InlineData("@every 1h30m", "2026-03-02T11:47:30Z")]
    public void Next_IsTheFirstTimeAfter(string schedule, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            CronSchedule.Parse(schedule, TimeZoneInfo.Utc).Next(s_monday));
    }

    [Fact]
    public void Next_FollowsTheTimeZone_AcrossDaylightSaving()
    {
        var berlin = CronSchedule.FindZone("Europe/Berlin")!;
        var schedule = CronSchedule.Parse("0 9 * * *", berlin);
        // 09:00 in Berlin is 08:00 UTC in winter, 07:00 UTC after the change on 29 March 2026
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 8, 0, 0, TimeSpan.Zero), schedule.Next(new DateTimeOffset(2026, 3, 28, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 7, 0, 0, TimeSpan.Zero), schedule.Next(new DateTimeOffset(2026, 3, 30, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Parse_TakesTheZoneOfATimeZonePrefix()
    {
        var schedule = CronSchedule.Parse("CRON_TZ=America/New_York 0 12 * * *", TimeZoneInfo.Utc);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 17, 0, 0, TimeSpan.Zero), schedule.Next(s_monday));
    }

    [Theory]
    [InlineData("* * * *", "expected exactly 5 fields, found 4: [* * * *]")]
    [InlineData("0 0 L * *", "failed to parse field: L")]
    [InlineData("0 0 * * 1#2", "failed to parse field: 1#2")]
    [InlineData("@fortnightly", "unrecognized descriptor: @fortnightly")]
    [InlineData("TZ=Nowhere/Land * * * * *", "provided bad location Nowhere/Land: unknown time zone Nowhere/Land")]
    public void Parse_RefusesWhatKubernetesRefuses(string schedule, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => CronSchedule.Parse(schedule, TimeZoneInfo.Utc)).Message);
    }

    [Theory]
    [InlineData("UTC", true)]
    [InlineData("Asia/Tokyo", true)]
    [InlineData("Local", false)]
    [InlineData("Tokyo Standard Time", false)] // a Windows name, not an IANA one
    [InlineData("Mars/Olympus", false)]
    public void FindZone_KnowsIanaNamesOnly(string name, bool found)
    {
        Assert.Equal(found, CronSchedule.FindZone(name) is not null);
    }
}
