using System.Diagnostics;

namespace Berth.Tests.Networking;

/// <summary>The stock <c>curl</c>, as a user reaches a Service's address from the host.</summary>
internal static class Curl
{
    /// <summary>GETs <paramref name="url"/> (three seconds at most); the exit code (0 when it answered 2xx) and the body.</summary>
    public static async Task<(int ExitCode, string Body)> GetAsync(string url)
    {
        var start = new ProcessStartInfo("curl")
        {
            ArgumentList = { "-sS", "--fail", "--max-time", "3", url },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("curl could not be started; setup.sh installs it");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, process.ExitCode == 0 ? (await output).Trim() : (await error).Trim());
    }

    /// <summary>GETs <paramref name="url"/> <paramref name="times"/> times; which bodies answered, and how often.</summary>
    public static async Task<Dictionary<string, int>> AnswersAsync(string url, int times)
    {
        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < times; i++)
        {
            var (exitCode, body) = await GetAsync(url);
            var key = exitCode == 0 ? body : $"error {exitCode}: {body}";
            answers[key] = answers.GetValueOrDefault(key) + 1;
        }
        return answers;
    }
}
