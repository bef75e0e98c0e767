using System.Globalization;

namespace Berth.Kube.Resources.Metrics;

/// <summary>Usage as metrics-server writes it: CPU in nanocores, memory in bytes (kibibytes when whole), both canonical.</summary>
internal static class UsageQuantity
{
    public static string Cpu(decimal nanocores) =>
        Quantity.Canonical(decimal.Round(nanocores).ToString(CultureInfo.InvariantCulture) + "n")!;

    public static string Memory(decimal bytes)
    {
        var whole = decimal.Round(bytes);
        return Quantity.Canonical(whole % 1024 == 0
            ? (whole / 1024).ToString(CultureInfo.InvariantCulture) + "Ki"
            : whole.ToString(CultureInfo.InvariantCulture))!;
    }
}
