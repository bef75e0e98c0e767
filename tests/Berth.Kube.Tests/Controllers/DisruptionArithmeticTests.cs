using System.Text.Json.Nodes;
using Berth.Kube.Controllers.Disruption;

namespace Berth.Kube.Tests.Controllers;

public sealed class DisruptionArithmeticTests
{
    private static JsonNode Spec(string yamlLike) => JsonNode.Parse(yamlLike)!;

    [Theory]
    [InlineData("50%", 3, 2)] // 1.5 rounds up
    [InlineData("34%", 3, 2)] // 1.02 rounds up
    [InlineData("33%", 3, 1)] // 0.99 rounds up
    [InlineData("0%", 5, 0)]
    [InlineData("100%", 7, 7)]
    [InlineData("10%", 0, 0)]
    public void Scaled_PercentagesRoundUp(string percent, long total, long expected) =>
        Assert.Equal(expected, DisruptionArithmetic.Scaled(JsonValue.Create(percent), total));

    [Fact]
    public void Scaled_IntegersAreTakenAsTheyAre() =>
        Assert.Equal(4, DisruptionArithmetic.Scaled(JsonValue.Create(4), 10));

    [Fact]
    public void Scaled_StringWithoutPercent_Fails() =>
        Assert.Equal("invalid value for IntOrString: invalid type: string is not a percentage",
            Assert.Throws<BudgetCalculationException>(() => DisruptionArithmetic.Scaled(JsonValue.Create("4"), 10)).Message);

    [Theory]
    [InlineData("""{"minAvailable": 2}""", false)]
    [InlineData("""{"minAvailable": "50%"}""", true)]
    [InlineData("""{"maxUnavailable": 1}""", true)]
    [InlineData("""{"maxUnavailable": "25%"}""", true)]
    [InlineData("""{}""", false)]
    public void NeedsScale_OnlyForPercentagesAndMaxUnavailable(string spec, bool expected) =>
        Assert.Equal(expected, DisruptionArithmetic.NeedsScale(Spec(spec)));

    [Fact]
    public void Counts_IntegerMinAvailable_ExpectsTheSelectedPods() =>
        Assert.Equal(new BudgetCounts(5, 2), DisruptionArithmetic.Counts(Spec("""{"minAvailable": 2}"""), podCount: 5, scale: 9));

    [Fact]
    public void Counts_PercentMinAvailable_ExpectsTheControllersScale() =>
        Assert.Equal(new BudgetCounts(3, 2), DisruptionArithmetic.Counts(Spec("""{"minAvailable": "50%"}"""), podCount: 5, scale: 3));

    [Theory]
    [InlineData("1", 3, 3, 2)]
    [InlineData("\"25%\"", 10, 10, 7)] // 2.5 unavailable rounds up to 3
    [InlineData("5", 3, 3, 0)] // never below zero
    public void Counts_MaxUnavailable_SubtractsFromTheScale(string maxUnavailable, long scale, long expectedPods, long desired) =>
        Assert.Equal(new BudgetCounts(expectedPods, desired),
            DisruptionArithmetic.Counts(Spec($$"""{"maxUnavailable": {{maxUnavailable}}}"""), podCount: 1, scale: scale));

    [Fact]
    public void Counts_NeitherField_ExpectsNothing() =>
        Assert.Equal(new BudgetCounts(0, 0), DisruptionArithmetic.Counts(Spec("{}"), podCount: 4, scale: 0));

    [Theory]
    [InlineData(3, 2, 3, 1)]
    [InlineData(2, 2, 3, 0)]
    [InlineData(1, 2, 3, 0)] // fewer healthy than desired: none, not negative
    [InlineData(3, 0, 0, 0)] // nothing expected yet: none, whatever is healthy
    public void DisruptionsAllowed_IsHealthyAboveDesired(long healthy, long desired, long expected, long allowed) =>
        Assert.Equal(allowed, DisruptionArithmetic.DisruptionsAllowed(healthy, desired, expected));
}
