using System.CommandLine;

namespace Berth.Cli;

/// <summary>The <c>berth</c> command line: one executable, one subcommand per verb.</summary>
internal static class BerthCli
{
    public static RootCommand Create() =>
        new("Berth: the AWS container stack (EKS, ECS, Fargate, ECR, EC2 Auto Scaling) on your own machine.")
        {
            ServerCommand.Create(),
            AgentCommand.Create(),
            CredentialsCommand.Create(),
            VersionCommand.Create(),
        };
}
