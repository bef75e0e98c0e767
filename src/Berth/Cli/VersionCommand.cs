using System.CommandLine;
using System.Reflection;

namespace Berth.Cli;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print Berth's version.");
        command.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"berth {Version}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The informational version: the release, then the commit it was built from.</summary>
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
