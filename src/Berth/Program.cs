using System.CommandLine;
using System.CommandLine.Invocation;
using Berth.Cli;

var parseResult = BerthCli.Create().Parse(args);
if (parseResult.Action is ParseErrorAction parseError)
{
    // a mistyped flag gets its error and the nearest names, then where to read more, not the whole help page
    parseError.ShowHelp = false;
    Console.Error.WriteLine($"See '{BerthCli.PathOf(parseResult.CommandResult.Command)} --help'.");
}

// SIGTERM and Ctrl-C cancel the command, which then stops as the server and the agent do (their hosts allow 15 s);
// System.CommandLine's own default would end the process after 2 s, cutting that short.
return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });
