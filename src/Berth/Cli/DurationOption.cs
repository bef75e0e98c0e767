using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Cli;

/// <summary>An option holding a duration written as Kubernetes' components take one: <c>15s</c>, <c>500ms</c>, <c>1m30s</c>.</summary>
internal static partial class DurationOption
{
    public static Option<TimeSpan> Create(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Parse(text) is { } duration && duration > TimeSpan.Zero)
            {
                return duration;
            }
            result.AddError($"{name}: '{text}' is not a positive duration such as 15s, 500ms or 1m30s");
            return defaultValue;
        },
    };

    public static TimeSpan? Parse(string text)
    {
        var parts = Part().Matches(text);
        if (text.Length == 0 || parts.Sum(p => p.Length) != text.Length)
        {
            return null;
        }
        var total = TimeSpan.Zero;
        foreach (Match part in parts)
        {
            var value = double.Parse(part.Groups["value"].Value, CultureInfo.InvariantCulture);
            total += part.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                _ => TimeSpan.FromHours(value),
            };
        }
        return total;
    }

    [GeneratedRegex(@"(?<value>[0-9]+(?:\.[0-9]+)?)(?<unit>ms|s|m|h)")]
    private static partial Regex Part();
}
