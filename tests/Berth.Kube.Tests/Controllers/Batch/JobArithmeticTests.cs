using Berth.Kube.Controllers.Batch;

namespace Berth.Kube.Tests.Controllers.Batch;

public sealed class JobArithmeticTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Backoff_DoublesWithEachFailure_FromTheLastOne()
    {
        var one = PodFailureBackoff.None.After([], [s_t0]);
        Assert.Equal(TimeSpan.FromSeconds(10), one.Remaining(s_t0));
        Assert.Equal(TimeSpan.FromSeconds(4), one.Remaining(s_t0.AddSeconds(6)));
        var three = one.After([], [s_t0.AddSeconds(20), s_t0.AddSeconds(30)]);
        Assert.Equal(TimeSpan.FromSeconds(40), three.Remaining(s_t0.AddSeconds(30)));
        Assert.Equal(TimeSpan.Zero, three.Remaining(s_t0.AddSeconds(70)));
    }

    [Fact]
    public void Backoff_IsAtMostTenMinutes_AndASuccessResetsIt()
    {
        var many = new PodFailureBackoff(20, s_t0);
        Assert.Equal(TimeSpan.FromMinutes(10), many.Remaining(s_t0));
        // only failures after the last success count
        var after = many.After([s_t0.AddSeconds(5)], [s_t0.AddSeconds(1), s_t0.AddSeconds(9)]);
        Assert.Equal(new PodFailureBackoff(1, s_t0.AddSeconds(9)), after);
        Assert.Equal(PodFailureBackoff.None, many.After([s_t0.AddSeconds(5)], []));
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 5, 7, 8 }, "0-2,5,7-8")]
    [InlineData(new[] { 3 }, "3")]
    [InlineData(new int[0], "")]
    public void CompletedIndexes_AreWrittenAsRanges(int[] indexes, string text)
    {
        Assert.Equal(text, CompletionIndexes.Format(indexes));
        Assert.Equal(indexes, CompletionIndexes.Parse(text, 100));
    }

    [Fact]
    public void CompletedIndexes_BeyondTheCompletionsAreDropped()
    {
        Assert.Equal([1, 2], CompletionIndexes.Parse("1-4", 3));
    }

    [Fact]
    public void FirstPending_SkipsSucceededAndHeldIndexes()
    {
        Assert.Equal([1, 4], CompletionIndexes.FirstPending(new SortedSet<int> { 0, 3 }, [2], completions: 6, count: 2));
    }
}
