using Berth.Kube.Controllers.Autoscaling;

namespace Berth.Kube.Tests.Controllers.Autoscaling;

public sealed class ScalingNormalizerTests
{
    private const string Key = "/k8s/default/autoscaling/horizontalpodautoscalers/default/web";

    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ScalingNormalizer _normalizer;

    public ScalingNormalizerTests() => _normalizer = new ScalingNormalizer(_clock);

    [Fact]
    public void Normalize_HoldsAScaleDownForFiveMinutesOfHigherRecommendations()
    {
        _normalizer.RecordInitial(Key, 5);
        var held = _normalizer.Normalize(Key, 5, 2, 1, 10);
        Assert.Equal(5, held.Replicas);
        Assert.Equal("ScaleDownStabilized", held.AbleToScaleReason);

        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(5, _normalizer.Normalize(Key, 5, 2, 1, 10).Replicas);

        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var settled = _normalizer.Normalize(Key, 5, 2, 1, 10);
        Assert.Equal(2, settled.Replicas);
        Assert.Equal("ReadyForNewScale", settled.AbleToScaleReason);
    }

    [Fact]
    public void Normalize_GrowsToAtMostTwiceTheCountOrFour()
    {
        var limited = _normalizer.Normalize(Key, 1, 10, 1, 20);
        Assert.Equal(4, limited.Replicas);
        Assert.True(limited.Limited);
        Assert.Equal("ScaleUpLimit", limited.LimitedReason);

        Assert.Equal(12, _normalizer.Normalize(Key, 6, 30, 1, 20).Replicas);
        var capped = _normalizer.Normalize(Key, 15, 30, 1, 20);
        Assert.Equal((20, "TooManyReplicas"), (capped.Replicas, capped.LimitedReason));
    }

    [Fact]
    public void Normalize_KeepsTheMinimum()
    {
        var raised = _normalizer.Normalize(Key, 3, 0, 2, 10);
        Assert.Equal((2, true, "TooFewReplicas"), (raised.Replicas, raised.Limited, raised.LimitedReason));
        var within = _normalizer.Normalize(Key, 3, 3, 2, 10);
        Assert.Equal((false, "DesiredWithinRange"), (within.Limited, within.LimitedReason));
    }

    [Fact]
    public void NormalizeWithBehavior_DefaultScaleUp_TakesTheLargerPolicyPerPeriod()
    {
        _normalizer.RecordInitial(Key, 2);
        var first = Up(2, 20);
        Assert.Equal(6, first.Replicas); // 4 pods beats 100% of 2
        Assert.Equal("ScaleUpLimit", first.LimitedReason);
        _normalizer.RecordScale(Key, 2, 6, ScalingRules.DefaultUp, ScalingRules.DefaultDown);

        // within the same 15 s the period still starts at 2
        Assert.Equal(6, Up(6, 20).Replicas);

        _clock.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(12, Up(6, 20).Replicas); // 100% of 6 beats 4 pods
    }

    [Fact]
    public void NormalizeWithBehavior_ScaleDownWaitsForItsWindow_ThenFollowsThePolicy()
    {
        _normalizer.RecordInitial(Key, 10);
        var down = new ScalingRules(60, "Max", [new ScalingPolicy("Pods", 2, 30)]);
        var held = _normalizer.NormalizeWithBehavior(Key, 10, 4, 1, 20, ScalingRules.DefaultUp, down);
        Assert.Equal((10, "ScaleDownStabilized"), (held.Replicas, held.AbleToScaleReason));

        _clock.Advance(TimeSpan.FromSeconds(61));
        var limited = _normalizer.NormalizeWithBehavior(Key, 10, 4, 1, 20, ScalingRules.DefaultUp, down);
        Assert.Equal((8, "ScaleDownLimit"), (limited.Replicas, limited.LimitedReason));
    }

    [Fact]
    public void NormalizeWithBehavior_DisabledPolicy_NeverScalesThatWay()
    {
        var disabled = ScalingRules.DefaultDown with { StabilizationWindowSeconds = 0, SelectPolicy = "Disabled" };
        Assert.Equal(7, _normalizer.NormalizeWithBehavior(Key, 7, 1, 1, 20, ScalingRules.DefaultUp, disabled).Replicas);
    }

    [Fact]
    public void NormalizeWithBehavior_ScaleUpStabilization_AppliesTheLowestRecentRecommendation()
    {
        var up = ScalingRules.DefaultUp with { StabilizationWindowSeconds = 60 };
        _normalizer.RecordInitial(Key, 3);
        var held = _normalizer.NormalizeWithBehavior(Key, 3, 8, 1, 20, up, ScalingRules.DefaultDown);
        Assert.Equal((3, "ScaleUpStabilized"), (held.Replicas, held.AbleToScaleReason));
    }

    private Normalized Up(int current, int desired) =>
        _normalizer.NormalizeWithBehavior(Key, current, desired, 1, 50, ScalingRules.DefaultUp, ScalingRules.DefaultDown);
}
