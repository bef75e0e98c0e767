// berth-agent: the node agent, a program of its own compiled ahead of time so that a node costs little memory;
// `berth agent` runs it with the arguments it was given.
using System.CommandLine;
using Berth.Agent;

var parseResult = AgentCommand.Create().Parse(args);
if (parseResult.Errors.Count > 0)
{
    Console.Error.WriteLine($"Error: {string.Join("; ", parseResult.Errors.Select(e => e.Message.TrimEnd('.')))} (see 'berth agent --help')");
    return 1;
}

// SIGTERM and Ctrl-C cancel the agent, which then stops as its host allows (15 s); System.CommandLine's own default
// would end the process after 2 s, cutting that short.
return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });
