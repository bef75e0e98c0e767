using System.Diagnostics;

namespace Berth.Bench;

/// <summary>The <c>berth</c> executable each benchmark's build carries beside it, started as a user starts it.</summary>
public static class BerthExecutable
{
    /// <summary>Starts <c>berth</c> with its standard output redirected, and its standard error when asked.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, bool redirectStandardError = false)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = redirectStandardError,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "berth.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return Process.Start(start) ?? throw new InvalidOperationException("berth could not be started");
    }
}
