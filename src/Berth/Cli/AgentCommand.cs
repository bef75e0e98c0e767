using System.CommandLine;
using System.Runtime.InteropServices;

namespace Berth.Cli;

/// <summary>
/// <c>berth agent</c>: the node agent is a program of its own, <c>berth-agent</c> beside <c>berth</c> (compiled ahead
/// of time when published, so a node costs little memory); <c>berth agent</c> becomes it, arguments and all, by
/// <c>execve</c>, so whoever started <c>berth agent</c> holds the agent's process: its signals, exit code and memory.
/// </summary>
internal static partial class AgentCommand
{
    public static Command Create()
    {
        var command = new Command("agent", "Run a node agent: register a Node in a cluster and run the pods bound to it (see 'berth agent --help').")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(parseResult => Exec(parseResult.UnmatchedTokens));
        return command;
    }

    /// <summary>Replaces this process with <c>berth-agent</c> and <paramref name="arguments"/>; returns only when that fails.</summary>
    public static int Exec(IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "berth-agent");
        var environment = Environment.GetEnvironmentVariables();
        // a framework-dependent build's agent finds the runtime this process runs on; a native one needs none
        environment["DOTNET_ROOT"] ??= Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string?[] argv = [path, .. arguments, null];
        string?[] envp = [.. environment.Keys.Cast<string>().Select(k => $"{k}={environment[k]}"), null];
        Execve(path, argv, envp);
        Console.Error.WriteLine($"berth: cannot run the agent {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        return ExitCodes.Failure;
    }

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
