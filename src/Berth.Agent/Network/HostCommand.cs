using System.Diagnostics;
using Berth.Agent.Runtime;

namespace Berth.Agent.Network;

/// <summary>Runs a host tool (<c>nft</c>, <c>modprobe</c>) to completion; a failure is a <see cref="RuntimeException"/> carrying what it printed.</summary>
internal static class HostCommand
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>, writing <paramref name="input"/> to its stdin; returns its stdout.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
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
            if (process.ExitCode != 0)
            {
                throw new RuntimeException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await errors).Trim()}");
            }
            return await output;
        }
    }
}
