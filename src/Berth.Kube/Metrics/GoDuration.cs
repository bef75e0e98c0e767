using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Kube.Metrics;

/// <summary>
/// Durations as Go writes and reads them (<c>time.Duration.String</c>, <c>time.ParseDuration</c>): <c>15.003s</c>,
/// <c>1m0.5s</c>, <c>250ms</c>, as a metav1.Duration is sent and as Kubernetes' components take their flags.
/// </summary>
public static partial class GoDuration
{
    /// <summary>The duration, or null when the text is not one (no sign is taken).</summary>
    public static TimeSpan? Parse(string text)
    {
        var parts = Part().Matches(text);
        if (text.Length == 0 || parts.Sum(p => p.Length) != text.Length)
        {
            return null;
        }
        double ticks = 0;
        foreach (Match part in parts)
        {
            var value = double.Parse(part.Groups["value"].Value, CultureInfo.InvariantCulture);
            ticks += value * part.Groups["unit"].Value switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" => TimeSpan.TicksPerMicrosecond,
                _ => 0.01,
            };
        }
        return ticks < TimeSpan.MaxValue.Ticks ? TimeSpan.FromTicks((long)ticks) : null;
    }

    public static string Format(TimeSpan duration)
    {
        var nanoseconds = duration.Ticks * 100;
        if (nanoseconds == 0)
        {
            return "0s";
        }
        var sign = nanoseconds < 0 ? "-" : "";
        nanoseconds = Math.Abs(nanoseconds);
        if (nanoseconds < 1_000_000_000)
        {
            var (unit, scale) = nanoseconds switch
            {
                < 1_000 => ("ns", 1L),
                < 1_000_000 => ("µs", 1_000L),
                _ => ("ms", 1_000_000L),
            };
            return sign + Fraction(nanoseconds, scale) + unit;
        }
        var text = new StringBuilder(sign);
        var hours = nanoseconds / 3_600_000_000_000;
        var minutes = nanoseconds / 60_000_000_000 % 60;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }
        if (hours > 0 || minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }
        return text.Append(Fraction(nanoseconds % 60_000_000_000, 1_000_000_000)).Append('s').ToString();
    }

    /// <summary><paramref name="value"/>/<paramref name="scale"/> with the fraction's trailing zeros left out.</summary>
    private static string Fraction(long value, long scale)
    {
        var whole = (value / scale).ToString(CultureInfo.InvariantCulture);
        if (value % scale == 0)
        {
            return whole;
        }
        var digits = scale.ToString(CultureInfo.InvariantCulture).Length - 1;
        return whole + "." + (value % scale).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }

    [GeneratedRegex(@"(?<value>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?<unit>ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();
}
