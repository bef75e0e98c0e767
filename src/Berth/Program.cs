using Berth.Cli;

return await BerthCli.Create().Parse(args).InvokeAsync();
