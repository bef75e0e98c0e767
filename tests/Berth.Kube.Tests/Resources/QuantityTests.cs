using Berth.Kube.Resources;

namespace Berth.Kube.Tests.Resources;

public sealed class QuantityTests
{
    [Theory]
    [InlineData("1.5Gi", "1536Mi")]
    [InlineData("1Gi", "1Gi")]
    [InlineData("1000Mi", "1000Mi")]
    [InlineData("0.5Ki", "512")]
    [InlineData("0.1Gi", "107374182400m")]
    [InlineData("0.5", "500m")]
    [InlineData("1.5", "1500m")]
    [InlineData("1000m", "1")]
    [InlineData("100m", "100m")]
    [InlineData("2000", "2k")]
    [InlineData("1500", "1500")]
    [InlineData("64Mi", "64Mi")]
    [InlineData("1e3", "1e3")]
    [InlineData("12e2", "1200")]
    [InlineData("1E", "1E")]
    [InlineData("0", "0")]
    [InlineData("0.0000000001", "1n")]
    public void Canonical_IsHowKubernetesWritesQuantities(string text, string canonical)
    {
        Assert.Equal(canonical, Quantity.Canonical(text));
    }
}
