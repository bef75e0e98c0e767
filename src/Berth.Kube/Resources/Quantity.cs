using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Kube.Resources;

/// <summary>Kubernetes resource quantities ("10Gi", "500m", "1e3"), read to compare them; printed as they were written.</summary>
internal static partial class Quantity
{
    private static readonly Dictionary<string, decimal> s_suffixes = new(StringComparer.Ordinal)
    {
        [""] = 1m,
        ["n"] = 0.000000001m,
        ["u"] = 0.000001m,
        ["m"] = 0.001m,
        ["k"] = 1e3m,
        ["M"] = 1e6m,
        ["G"] = 1e9m,
        ["T"] = 1e12m,
        ["P"] = 1e15m,
        ["E"] = 1e18m,
        ["Ki"] = 1024m,
        ["Mi"] = 1024m * 1024,
        ["Gi"] = 1024m * 1024 * 1024,
        ["Ti"] = 1024m * 1024 * 1024 * 1024,
        ["Pi"] = 1024m * 1024 * 1024 * 1024 * 1024,
        ["Ei"] = 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    };

    public const string FormatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    /// <summary>The quantity's value, or null when the text is not a quantity.</summary>
    public static decimal? Parse(string? text)
    {
        if (text is null || QuantityPattern().Match(text) is not { Success: true } match
            || !decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }
        var suffix = match.Groups[2].Value;
        if (s_suffixes.TryGetValue(suffix, out var factor))
        {
            return number * factor;
        }
        if (suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent) && Math.Abs(exponent) <= 18)
        {
            return number * (decimal)Math.Pow(10, exponent);
        }
        return null;
    }

    [GeneratedRegex(@"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")]
    private static partial Regex QuantityPattern();
}
