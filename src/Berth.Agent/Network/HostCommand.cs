using System.Diagnostics;
using Berth.Agent.Runtime;

namespace Berth.Agent.Network;

/// <summary>Runs a host tool (<c>nft</c>, <c>modprobe</c>, a CNI plugin) to completion; a failure is a <see cref="RuntimeException"/> carrying what it printed.</summary>
internal static class HostCommand
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>, writing <paramref name="input"/> to its stdin; returns its stdout.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var (exitCode, output, errors) = await ExecuteAsync(file, arguments, input, null, cancellationToken);
        if (exitCode != 0)
        {
            throw new RuntimeException($"{file} {string.Join(' ', arguments)} failed ({exitCode}): {errors.Trim()}");
        }
        return output;
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="environment"/> added to the agent's; returns its exit code and what it printed.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> ExecuteAsync(string file, IReadOnlyList<string> arguments, string? input,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new RuntimeException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RuntimeException($"{file} could not be run ({e.Message}): install it (the setup does)", e);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            }
            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken);
            return (process.ExitCode, await output, await errors);
        }
    }
}
