using System.Globalization;

namespace Berth.Bench;

/// <summary>A process's memory as Linux accounts it in <c>/proc/&lt;pid&gt;/status</c>.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size now (<c>VmRSS</c>), in bytes.</summary>
    public static long Resident(int processId) => Read(processId, "VmRSS:");

    /// <summary>The largest resident set size so far (<c>VmHWM</c>), in bytes.</summary>
    public static long Peak(int processId) => Read(processId, "VmHWM:");

    private static long Read(int processId, string field)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
