using System.CommandLine;
using Berth.Cli;

if (args is ["agent", .. var agentArguments])
{
    return AgentCommand.Exec(agentArguments); // the agent's own program reads, and refuses, its arguments
}

var parseResult = BerthCli.Create().Parse(args);
if (parseResult.Errors.Count > 0 && args.Length > 0)
{
    // one line, as every other refusal of berth's: what is wrong, and where the command's flags are told
    Console.Error.WriteLine($"Error: {string.Join("; ", parseResult.Errors.Select(e => e.Message.TrimEnd('.')))} "
        + $"(see '{BerthCli.PathOf(parseResult.CommandResult.Command)} --help')");
    return 1;
}

// SIGTERM and Ctrl-C cancel the command, which then stops as the server and the agent do (their hosts allow 15 s);
// System.CommandLine's own default would end the process after 2 s, cutting that short.
return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });
