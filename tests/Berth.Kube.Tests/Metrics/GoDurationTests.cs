using Berth.Kube.Metrics;

namespace Berth.Kube.Tests.Metrics;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(150_000_000, "15s")]
    [InlineData(150_031_000, "15.0031s")]
    [InlineData(2_500_000, "250ms")]
    [InlineData(605_000_000, "1m0.5s")]
    [InlineData(36_000_000_000, "1h0m0s")]
    public void Format_WritesAsGoDoes(long ticks, string expected) => Assert.Equal(expected, GoDuration.Format(TimeSpan.FromTicks(ticks)));

    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("1.5h", 5_400_000)]
    public void Parse_ReadsAsGoDoes(string text, long milliseconds) => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("-1s")]
    [InlineData("1d")]
    public void Parse_RefusesWhatIsNoDuration(string text) => Assert.Null(GoDuration.Parse(text));
}
