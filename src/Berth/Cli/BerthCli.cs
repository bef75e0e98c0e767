using System.CommandLine;

namespace Berth.Cli;

/// <summary>The <c>berth</c> command line: one executable, one subcommand per verb.</summary>
internal static class BerthCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Berth: the AWS container stack (EKS, ECS, Fargate, ECR, EC2 Auto Scaling) on your own machine.")
        {
            UpCommand.Create(),
            DownCommand.Create(),
            StatusCommand.Create(),
            ServerCommand.Create(),
            AgentCommand.Create(),
            CredentialsCommand.Create(),
            VersionCommand.Create(),
        };
        foreach (var command in Berth.Client.Commands.ClusterCommands.All())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>How a user types the command: <c>berth create cluster</c>.</summary>
    public static string PathOf(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
        {
            names.Add(c is RootCommand ? "berth" : c.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
