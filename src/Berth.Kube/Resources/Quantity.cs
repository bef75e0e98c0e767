using System.Globalization;
using System.Text.RegularExpressions;

namespace Berth.Kube.Resources;

/// <summary>
/// Kubernetes resource quantities ("10Gi", "500m", "1e3"): read to compare them, and written in Kubernetes'
/// canonical form, which is how the API server stores and returns them ("1.5Gi" is "1536Mi", "0.5" is "500m").
/// </summary>
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

    private static readonly string[] s_binarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    /// <summary>
    /// The canonical form of a quantity, as resource.Quantity writes it: no fraction, the largest suffix that keeps
    /// the number whole, binary suffixes kept for whole byte counts of at least 1024, values rounded up to nano
    /// units; null when the text is not a quantity or is beyond what is kept exactly.
    /// </summary>
    public static string? Canonical(string text)
    {
        if (QuantityPattern().Match(text) is not { Success: true } match || Parse(text) is not { } value)
        {
            return null;
        }
        var suffix = match.Groups[2].Value;
        var exponentForm = !s_suffixes.ContainsKey(suffix);
        var negative = value < 0;
        var magnitude = Math.Abs(value);
        try
        {
            if (suffix.EndsWith('i') && magnitude >= 1024 && decimal.Truncate(magnitude) == magnitude)
            {
                var whole = magnitude;
                var step = 0;
                while (step < s_binarySuffixes.Length - 1 && whole % 1024 == 0)
                {
                    whole /= 1024;
                    step++;
                }
                return (negative ? "-" : "") + whole.ToString("0", CultureInfo.InvariantCulture) + s_binarySuffixes[step];
            }
            // In nano units, rounded up, then in the largest power of a thousand that keeps the number whole.
            var nanos = decimal.Ceiling(magnitude * 1_000_000_000m);
            var exponent = -9;
            while (nanos != 0 && nanos % 1000 == 0 && exponent < 18)
            {
                nanos /= 1000;
                exponent += 3;
            }
            if (nanos == 0)
            {
                return "0";
            }
            var number = (negative ? "-" : "") + nanos.ToString("0", CultureInfo.InvariantCulture);
            return exponentForm
                ? number + (exponent == 0 ? "" : "e" + exponent.ToString(CultureInfo.InvariantCulture))
                : number + exponent switch { -9 => "n", -6 => "u", -3 => "m", 0 => "", 3 => "k", 6 => "M", 9 => "G", 12 => "T", 15 => "P", _ => "E" };
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")]
    private static partial Regex QuantityPattern();
}
