namespace Berth.Bench;

/// <summary>How many operations took how long, and each one's latency in milliseconds.</summary>
public sealed record Measurement(int Operations, TimeSpan Elapsed, double[] LatenciesMs)
{
    public static Measurement Combine(IReadOnlyList<Measurement> parts) =>
        new(parts.Sum(p => p.Operations), TimeSpan.FromTicks(parts.Sum(p => p.Elapsed.Ticks)), [.. parts.SelectMany(p => p.LatenciesMs)]);

    public double PerSecond => Operations / Elapsed.TotalSeconds;

    public double MeanMs => LatenciesMs.Average();

    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
    }
}
