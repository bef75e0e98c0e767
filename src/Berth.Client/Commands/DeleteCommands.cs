using System.CommandLine;
using Berth.Client.Clusters;

namespace Berth.Client.Commands;

/// <summary><c>berth delete cluster|nodegroup|fargateprofile</c>.</summary>
internal static class DeleteCommands
{
    public static Command Create()
    {
        var command = new Command("delete", "Delete clusters and their parts.") { Cluster(), Nodegroup(), FargateProfile() };
        return ClusterCommandLine.WithAwsOptions(command);
    }

    private static Command Cluster()
    {
        var name = new Option<string?>("--name", "-n") { Description = "The cluster's name." };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until the control plane is gone too." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file to remove the cluster from (default: $KUBECONFIG, else ~/.kube/config)." };
        var file = ConfigFile.Option();
        var command = new Command("cluster", "Delete a cluster with its node groups, Fargate profiles, OIDC provider and the IAM roles berth made for it.")
        {
            name, wait, kubeconfig, file,
        };
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var cluster = parseResult.GetValue(file) is { } path ? ConfigFile.Read(path).Name
                : parseResult.GetValue(name) ?? throw new ClusterCommandException("--name is required: the cluster to delete");
            if (!await new ClusterDeleter(session).DeleteAsync(cluster, parseResult.GetValue(wait), cancellationToken))
            {
                throw new ClusterCommandException($"no cluster named \"{cluster}\" in {session.EksSettings.Region} (berth get cluster lists them)");
            }
            await ClusterKubeconfig.RemoveAsync(session, cluster, parseResult.GetValue(kubeconfig), cancellationToken);
            return ClusterCommandLine.Ok;
        }, parseResult => ConfigFile.Region(parseResult, file));
        return command;
    }

    private static Command Nodegroup()
    {
        var cluster = ClusterCommandLine.Cluster();
        var name = new Option<string>("--name", "-n") { Description = "The node group's name.", Required = true };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until it is gone (berth always does)." };
        var command = new Command("nodegroup", "Delete a node group: its nodes are drained, then terminated.") { cluster, name, wait };
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var clusterName = parseResult.GetValue(cluster)!;
            var group = parseResult.GetValue(name)!;
            await CreatePartCommands.ActiveClusterAsync(session, clusterName, cancellationToken);
            if (await session.Eks.DescribeNodegroupAsync(clusterName, group, cancellationToken) is null)
            {
                throw new ClusterCommandException($"no node group named \"{group}\" in cluster \"{clusterName}\"");
            }
            await new ClusterDeleter(session).DeleteNodegroupsAsync(clusterName, [group], cancellationToken);
            return ClusterCommandLine.Ok;
        });
        return command;
    }

    private static Command FargateProfile()
    {
        var cluster = ClusterCommandLine.Cluster();
        var name = new Option<string>("--name", "-n") { Description = "The Fargate profile's name.", Required = true };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until it is gone (berth always does)." };
        var command = new Command("fargateprofile", "Delete a Fargate profile.") { cluster, name, wait };
        ClusterCommandLine.SetAction(command, async (parseResult, session, cancellationToken) =>
        {
            var clusterName = parseResult.GetValue(cluster)!;
            var profile = parseResult.GetValue(name)!;
            await CreatePartCommands.ActiveClusterAsync(session, clusterName, cancellationToken);
            if (await session.Eks.DescribeFargateProfileAsync(clusterName, profile, cancellationToken) is null)
            {
                throw new ClusterCommandException($"no Fargate profile named \"{profile}\" in cluster \"{clusterName}\"");
            }
            await new ClusterDeleter(session).DeleteFargateProfileAsync(clusterName, profile, cancellationToken);
            return ClusterCommandLine.Ok;
        });
        return command;
    }
}
