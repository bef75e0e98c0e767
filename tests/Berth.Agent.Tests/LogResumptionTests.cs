using System.Text;
using Berth.Agent.Runtime;

namespace Berth.Agent.Tests;

/// <summary>A followed log that the engine ends early is continued from the entry after the last one passed on.</summary>
public sealed class LogResumptionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resuming_SkipsWhatWasPassedOn_EvenWhenEntriesShareASecond()
    {
        using var output = new MemoryStream();
        var log = new LogResumption(output, keepTimestamps: false);
        await Feed(log, "2026-12-06T02:46:27Z tick 1\n", "2026-12-06T02:46:28Z tick 2\n", "2026-12-06T02:46:28Z warn 2\n");
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 2, 46, 27, TimeSpan.Zero), log.ResumeFrom);

        // read again from a second earlier, the engine repeats what was passed on before the new entries
        log.Resume();
        await Feed(log, "2026-12-06T02:46:27Z tick 1\n", "2026-12-06T02:46:28Z tick 2\n", "2026-12-06T02:46:28Z warn 2\n",
            "2026-12-06T02:46:28Z tick 3\n", "2026-12-06T02:46:29Z warn 3\n");
        Assert.Equal("tick 1\ntick 2\nwarn 2\ntick 3\nwarn 3\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task AnEntryInSeveralReads_IsSkippedOrPassedOnWhole_AndTimestampsStayWhenAskedFor()
    {
        using var output = new MemoryStream();
        var log = new LogResumption(output, keepTimestamps: true);
        await Feed(log, "2026-12-06T02:46:28.123456789Z first part ", "and the rest\n");
        log.Resume();
        await Feed(log, "2026-12-06T02:46:28.123456789Z first part ", "and the rest\n", "2026-12-06T02:46:28.5Z next\n");
        Assert.Equal("2026-12-06T02:46:28.123456789Z first part and the rest\n2026-12-06T02:46:28.5Z next\n",
            Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task AnEntryNewerThanTheLast_EndsTheSkipping_EvenIfTheLastNeverComesAgain()
    {
        using var output = new MemoryStream();
        var log = new LogResumption(output, keepTimestamps: false);
        await Feed(log, "2026-12-06T02:46:28.1Z a\n");
        log.Resume();
        await Feed(log, "2026-12-06T02:46:28.2Z b\n");
        Assert.Equal("a\nb\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [InlineData("2026-12-06T02:46:28Z x", true)]
    [InlineData("2026-12-06T02:46:28.000000001+01:00 x", true)]
    [InlineData("tick 3", false)]
    [InlineData("2026-12-06T02:46:28.1234567890Z x", false)]
    [InlineData("2026-13-06T02:46:28Z x", false)]
    public void Stamps_AreRecognizedOnlyWhenWellFormed(string read, bool stamped) =>
        Assert.Equal(stamped, LogStamp.TryParse(Encoding.ASCII.GetBytes(read), out _, out _));

    private static async Task Feed(LogResumption log, params string[] reads)
    {
        foreach (var read in reads)
        {
            await log.WriteAsync(Encoding.UTF8.GetBytes(read), Token);
        }
    }
}
