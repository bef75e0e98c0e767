using System.Globalization;

namespace Berth.Bench.Store;

/// <summary>Prints each figure with its ratio to the baseline measured in the same run.</summary>
internal sealed class Report(BenchSettings settings)
{
    private readonly List<string> _lines = [];
    private readonly List<string> _missed = [];

    public void Baseline(string name, Measurement baseline) =>
        _lines.Add(Format($"{name,-48} {baseline.PerSecond,10:F0} ops/s  mean {baseline.MeanMs:F3} ms   (baseline = 1.00)"));

    public void Ratio(string name, Measurement measured, Measurement baseline, double? target = null)
    {
        var ratio = measured.PerSecond / baseline.PerSecond;
        var verdict = target is { } t ? Verdict(name, ratio >= t, $"target >= {t:F2}") : "";
        _lines.Add(Format($"{name,-48} {measured.PerSecond,10:F0} ops/s  mean {measured.MeanMs:F3} ms   ratio {ratio,6:F2}  {verdict}"));
    }

    public void Latency(string name, Measurement measured, Measurement baseline, double targetP99Ms)
    {
        var p50 = measured.Percentile(50);
        var p99 = measured.Percentile(99);
        var verdict = Verdict(name, p99 < targetP99Ms, $"target p99 < {targetP99Ms:F0} ms");
        _lines.Add(Format($"{name,-48} p50 {p50:F3} ms  p99 {p99:F3} ms   p99 / baseline mean {p99 / baseline.MeanMs,6:F2}  {verdict}"));
    }

    /// <summary>Prints the report; returns 0, or 1 when a target was missed.</summary>
    public int Print()
    {
        Console.WriteLine(Format($"Berth store benchmark: {settings.Operations} operations per figure; {settings.Watchers} watchers x {settings.Events} events; SQLite WAL, synchronous=FULL"));
        foreach (var line in _lines)
        {
            Console.WriteLine(line);
        }
        Console.WriteLine(_missed.Count == 0 ? "all targets met" : $"targets missed: {string.Join(", ", _missed)}");
        return _missed.Count == 0 ? 0 : 1;
    }

    private string Verdict(string name, bool met, string target)
    {
        if (!met)
        {
            _missed.Add(name);
        }
        return $"{target}: {(met ? "met" : "MISSED")}";
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
