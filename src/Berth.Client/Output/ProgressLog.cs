using System.Globalization;
using Spectre.Console;

namespace Berth.Client.Output;

/// <summary>
/// eksctl's log: one timestamped line per step (<c>2026-12-07 10:00:01 [ℹ]  creating …</c>), and a spinner while
/// something is awaited when the log goes to a terminal. The log is written to standard error, so that what a command
/// prints as its result (<c>-o json</c>) stays alone on standard output.
/// </summary>
public sealed class ProgressLog(IAnsiConsole console, TimeProvider time)
{
    public static ProgressLog ToStandardError(TimeProvider time)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive)
        {
            console.Profile.Width = int.MaxValue; // a log read by programs keeps each step on one line
        }
        return new ProgressLog(console, time);
    }

    public void Info(string message) => Line("ℹ", "blue", message);

    public void Success(string message) => Line("✔", "green", message);

    public void Warning(string message) => Line("!", "yellow", message);

    public void Error(string message) => Line("✖", "red", message);

    /// <summary>Runs <paramref name="wait"/> with a spinner saying what is awaited.</summary>
    public async Task<T> WaitAsync<T>(string what, Func<Task<T>> wait)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await wait();
        }
        return await console.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(what), _ => wait());
    }

    public async Task WaitAsync(string what, Func<Task> wait) => await WaitAsync(what, async () =>
    {
        await wait();
        return true;
    });

    private void Line(string symbol, string colour, string message) =>
        console.MarkupLine($"{time.GetLocalNow().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} [[[{colour}]{symbol}[/]]]  {Markup.Escape(message)}");
}
