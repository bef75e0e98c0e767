using System.CommandLine;
using Berth.Cli;

// SIGTERM and Ctrl-C cancel the command, which then stops as the server and the agent do (their hosts allow 15 s);
// System.CommandLine's own default would end the process after 2 s, cutting that short.
return await BerthCli.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });
