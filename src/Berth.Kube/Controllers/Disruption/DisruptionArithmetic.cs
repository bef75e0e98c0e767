using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Disruption;

/// <summary>A budget's numbers: how many pods it expects, and how many of them must stay healthy.</summary>
internal readonly record struct BudgetCounts(long ExpectedPods, long DesiredHealthy);

/// <summary>
/// The numbers of a PodDisruptionBudget, as the disruption controller computes them. An integer
/// <c>minAvailable</c> counts against the pods the selector picks; a percentage, or any <c>maxUnavailable</c>, counts
/// against the scale of the pods' controllers, and percentages round up.
/// </summary>
internal static class DisruptionArithmetic
{
    /// <summary>Whether the budget needs its pods' controllers' scale: a <c>maxUnavailable</c>, or a percentage <c>minAvailable</c>.</summary>
    public static bool NeedsScale(JsonNode? spec) =>
        spec?["maxUnavailable"] is not null || (spec?["minAvailable"] is JsonValue value && value.GetValueKind() == JsonValueKind.String);

    /// <summary>
    /// The expected and desired healthy pods for <paramref name="podCount"/> selected pods whose controllers ask for
    /// <paramref name="scale"/> replicas in all (used only when <see cref="NeedsScale"/>). A budget with neither field
    /// expects nothing.
    /// </summary>
    public static BudgetCounts Counts(JsonNode? spec, long podCount, long scale)
    {
        if (spec?["maxUnavailable"] is { } maxUnavailable)
        {
            return new BudgetCounts(scale, Math.Max(0, scale - Scaled(maxUnavailable, scale)));
        }
        if (spec?["minAvailable"] is { } minAvailable)
        {
            return NeedsScale(spec)
                ? new BudgetCounts(scale, Scaled(minAvailable, scale))
                : new BudgetCounts(podCount, minAvailable.AsLong() ?? 0);
        }
        return new BudgetCounts(0, 0);
    }

    /// <summary>
    /// How many pods may be disrupted now. None while no pods are expected, so that a budget whose first pods appear
    /// before the controller counted them is safe.
    /// </summary>
    public static long DisruptionsAllowed(long currentHealthy, long desiredHealthy, long expectedPods) =>
        expectedPods <= 0 ? 0 : Math.Max(0, currentHealthy - desiredHealthy);

    /// <summary>An int-or-percent against <paramref name="total"/>, percentages rounded up, as intstr.GetScaledValueFromIntOrPercent.</summary>
    public static long Scaled(JsonNode value, long total)
    {
        if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
        {
            return number.AsLong() ?? 0;
        }
        var text = value.AsText() ?? "";
        if (!text.EndsWith('%'))
        {
            throw new BudgetCalculationException("invalid value for IntOrString: invalid type: string is not a percentage");
        }
        if (!long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
        {
            throw new BudgetCalculationException($"invalid value for IntOrString: invalid value \"{text}\"");
        }
        return (long)Math.Ceiling(percent * (double)total / 100);
    }
}
