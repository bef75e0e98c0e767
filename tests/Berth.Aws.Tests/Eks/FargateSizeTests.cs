using Berth.Aws.Eks;

namespace Berth.Aws.Tests.Eks;

public sealed class FargateSizeTests
{
    private const long Mi = 1024L * 1024;

    [Theory]
    [InlineData(0, 0, "0.25vCPU 0.5GB")]          // nothing asked: the smallest
    [InlineData(250, 256 * Mi, "0.25vCPU 0.5GB")]  // 256 MiB + 256 MiB fits 0.5 GB exactly
    [InlineData(250, 257 * Mi, "0.25vCPU 1GB")]
    [InlineData(500, 1024 * Mi, "0.5vCPU 2GB")]     // 1 GiB + 256 MiB: the next whole GB
    [InlineData(1000, 0, "1vCPU 2GB")]
    [InlineData(250, 3 * 1024 * Mi, "0.5vCPU 4GB")] // too much memory for 0.25 vCPU: the next vCPU size that holds it
    [InlineData(250, 5 * 1024 * Mi, "1vCPU 6GB")]
    [InlineData(4000, 40L * 1024 * Mi, "8vCPU 44GB")] // 8 vCPU memory goes in 4 GB steps
    [InlineData(16000, 120L * 1024 * Mi - (256 * Mi), "16vCPU 120GB")]
    public void APod_GetsTheSmallestCombinationHoldingItsRequestAnd256MiB(long milliCpu, long memory, string expected) =>
        Assert.Equal(expected, FargateSize.For(milliCpu, memory)!.Annotation);

    [Fact]
    public void APodLargerThanFargatesLargest_GetsNone()
    {
        Assert.Null(FargateSize.For(17000, 0));
        Assert.Null(FargateSize.For(1000, 120L * 1024 * Mi));
    }

    [Fact]
    public void TheNode_OffersTheSizeAsKubernetesQuantities()
    {
        var size = FargateSize.For(250, 0)!;
        Assert.Equal(("250m", "512Mi"), (size.CpuQuantity, size.MemoryQuantity));
    }
}
