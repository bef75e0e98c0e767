using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;

namespace Berth.Kube.Controllers.Batch;

/// <summary>
/// A CronJob's schedule, read as Kubernetes reads it (robfig/cron's standard parser): five fields (minute, hour,
/// day of month, month, day of week, with names of months and days), or a macro (<c>@yearly</c>,
/// <c>@annually</c>, <c>@monthly</c>, <c>@weekly</c>, <c>@daily</c>, <c>@midnight</c>, <c>@hourly</c>,
/// <c>@every &lt;duration&gt;</c>), optionally after <c>TZ=</c>/<c>CRON_TZ=</c>; times in a time zone. Cronos
/// computes the next times, daylight-saving changes included.
/// </summary>
internal sealed partial class CronSchedule
{
    private static readonly Dictionary<string, string> s_macros = new(StringComparer.Ordinal)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    private readonly CronExpression? _cron;
    private readonly TimeSpan _every;

    private CronSchedule(CronExpression? cron, TimeSpan every, TimeZoneInfo zone)
    {
        _cron = cron;
        _every = every;
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>Reads <paramref name="text"/>, its times in <paramref name="zone"/> unless it names its own; FormatException with the reason otherwise.</summary>
    public static CronSchedule Parse(string text, TimeZoneInfo zone)
    {
        var spec = text.Trim();
        if (spec.Length == 0)
        {
            throw new FormatException("empty spec string");
        }
        if (spec.StartsWith("TZ=", StringComparison.Ordinal) || spec.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var end = spec.IndexOf(' ', StringComparison.Ordinal);
            var name = spec[(spec.IndexOf('=', StringComparison.Ordinal) + 1)..(end < 0 ? spec.Length : end)];
            zone = FindZone(name) ?? throw new FormatException($"provided bad location {name}: unknown time zone {name}");
            spec = end < 0 ? "" : spec[end..].Trim();
        }
        if (spec.StartsWith("@every ", StringComparison.Ordinal))
        {
            var every = GoDuration.Parse(spec["@every ".Length..].Trim())
                ?? throw new FormatException($"failed to parse duration {spec}");
            // as robfig/cron: at least a second, whole seconds
            every = every < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(Math.Floor(every.TotalSeconds));
            return new CronSchedule(null, every, zone);
        }
        if (spec.StartsWith('@'))
        {
            spec = s_macros.GetValueOrDefault(spec) ?? throw new FormatException($"unrecognized descriptor: {spec}");
        }
        var fields = spec.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            throw new FormatException($"expected exactly 5 fields, found {fields.Length}: [{string.Join(' ', fields)}]");
        }
        foreach (var field in fields)
        {
            // Cronos also reads L, W and #, which Kubernetes refuses
            if (!FieldSyntax().IsMatch(Names().Replace(field, "0")))
            {
                throw new FormatException($"failed to parse field: {field}");
            }
        }
        try
        {
            return new CronSchedule(CronExpression.Parse(string.Join(' ', fields), CronFormat.Standard), TimeSpan.Zero, zone);
        }
        catch (CronFormatException e)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>The first time strictly after <paramref name="after"/>; <see cref="DateTimeOffset.MaxValue"/> if there is none (30 February).</summary>
    public DateTimeOffset Next(DateTimeOffset after)
    {
        if (_cron is null)
        {
            return after.Add(_every).AddTicks(-(after.Ticks % TimeSpan.TicksPerSecond));
        }
        return _cron.GetNextOccurrence(after, Zone) ?? DateTimeOffset.MaxValue;
    }

    /// <summary>
    /// The IANA time zone of that name, as Go's <c>time.LoadLocation</c> finds it, or null. "UTC" is UTC; the
    /// machine's own zone ("Local") and Windows names are not IANA names.
    /// </summary>
    public static TimeZoneInfo? FindZone(string name)
    {
        if (name == "UTC")
        {
            return TimeZoneInfo.Utc;
        }
        // Windows names ("Tokyo Standard Time") hold spaces, which no IANA name does
        if (name.Length == 0 || name.Equals("Local", StringComparison.OrdinalIgnoreCase) || name.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : null;
    }

    [GeneratedRegex("^[0-9*?/,-]+$")]
    private static partial Regex FieldSyntax();

    [GeneratedRegex("(?i)jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat")]
    private static partial Regex Names();

    /// <summary>Go's <c>time.ParseDuration</c>, for <c>@every</c>: "1h30m", "90s", "1.5h".</summary>
    private static partial class GoDuration
    {
        public static TimeSpan? Parse(string text)
        {
            var matches = Part().Matches(text);
            if (text.Length == 0 || string.Concat(matches.Select(m => m.Value)) != text)
            {
                return null;
            }
            var total = 0.0;
            foreach (Match match in matches)
            {
                var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                total += value * match.Groups[2].Value switch
                {
                    "h" => 3600.0,
                    "m" => 60.0,
                    "s" => 1.0,
                    "ms" => 1e-3,
                    "us" or "µs" => 1e-6,
                    _ => 1e-9,
                };
            }
            return TimeSpan.FromSeconds(total);
        }

        [GeneratedRegex(@"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)")]
        private static partial Regex Part();
    }
}
