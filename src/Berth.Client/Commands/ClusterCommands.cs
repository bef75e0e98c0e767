using System.CommandLine;

namespace Berth.Client.Commands;

/// <summary>The eksctl-compatible commands of <c>berth</c>, each a client of the AWS APIs only.</summary>
public static class ClusterCommands
{
    public static IEnumerable<Command> All() =>
    [
        ClusterCommandLine.WithAwsOptions(new Command("create", "Create clusters and their parts.")
        {
            CreateClusterCommand.Create(), CreatePartCommands.Nodegroup(), CreatePartCommands.FargateProfile(),
            CreatePartCommands.IamServiceAccount(), CreatePartCommands.Addon(),
        }),
        GetCommands.Create(),
        DeleteCommands.Create(),
        NodegroupCommands.Scale(),
        NodegroupCommands.Drain(),
        ClusterMaintenanceCommands.Utils(),
        ClusterMaintenanceCommands.Upgrade(),
    ];
}
