using Berth.Kube.Resources;

namespace Berth.Kube.Tests.Resources;

public sealed class HumanDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(303, "5m3s")]
    [InlineData(300, "5m")]
    [InlineData(3600, "60m")]
    [InlineData(4 * 3600 + 60 * 12, "4h12m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(52 * 3600, "2d4h")]
    [InlineData(40 * 86400, "40d")]
    [InlineData(3 * 365 * 86400 + 30 * 86400, "3y30d")]
    public void Format_LikeKubectl(int seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));
}
