using System.CommandLine;
using Berth.Client.Clusters;

namespace Berth.Client.Commands;

/// <summary><c>berth utils write-kubeconfig</c> and <c>berth upgrade cluster</c>.</summary>
internal static class ClusterMaintenanceCommands
{
    public static Command Utils()
    {
        var cluster = ClusterCommandLine.Cluster();
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)." };
        var setContext = new Option<bool>("--set-kubeconfig-context") { Description = "Make it kubectl's current context.", DefaultValueFactory = _ => true };
        var write = new Command("write-kubeconfig", "Write a cluster's entry into a kubeconfig file.") { cluster, kubeconfig, setContext };
        ClusterCommandLine.SetAction(write, async (parseResult, session, cancellationToken) =>
        {
            var described = await CreatePartCommands.ActiveClusterAsync(session, parseResult.GetValue(cluster)!, cancellationToken);
            await ClusterKubeconfig.WriteAsync(session, described, parseResult.GetValue(kubeconfig), parseResult.GetValue(setContext), cancellationToken);
            return ClusterCommandLine.Ok;
        });
        return ClusterCommandLine.WithAwsOptions(new Command("utils", "Utilities for clusters.") { write });
    }

    public static Command Upgrade()
    {
        var name = new Option<string>("--name", "-n") { Description = "The cluster's name.", Required = true };
        var version = new Option<string?>("--version") { Description = "The version to move to (default: the next minor version)." };
        var approve = new Option<bool>("--approve") { Description = "Make the change; without it, only what would change is printed." };
        var upgrade = new Command("cluster", "Move a cluster's control plane to the next Kubernetes minor version.") { name, version, approve };
        ClusterCommandLine.SetAction(upgrade, async (parseResult, session, cancellationToken) =>
        {
            var clusterName = parseResult.GetValue(name)!;
            var described = await CreatePartCommands.ActiveClusterAsync(session, clusterName, cancellationToken);
            var current = described["version"]!.GetValue<string>();
            var target = parseResult.GetValue(version) ?? NextMinor(current);
            if (target == current)
            {
                session.Log.Info($"cluster \"{clusterName}\" is at version {current} already; nothing to do");
                return ClusterCommandLine.Ok;
            }
            if (!parseResult.GetValue(approve))
            {
                session.Log.Info($"(plan) would upgrade cluster \"{clusterName}\" control plane from current version {current} to {target}");
                session.Log.Warning("no changes were applied; run again with --approve to apply them");
                return ClusterCommandLine.Ok;
            }
            var update = await session.Eks.UpdateClusterVersionAsync(clusterName, target, cancellationToken);
            var id = update["id"]!.GetValue<string>();
            await session.WaitForAsync($"control plane of cluster \"{clusterName}\" to reach version {target}", ct => session.Eks.DescribeUpdateAsync(clusterName, id, ct)!,
                "Successful", ["Failed", "Cancelled"], ClusterCreator.ClusterTimeout, cancellationToken);
            session.Log.Success($"cluster \"{clusterName}\" control plane has been upgraded to version {target}");
            return ClusterCommandLine.Ok;
        });
        return ClusterCommandLine.WithAwsOptions(new Command("upgrade", "Upgrade clusters.") { upgrade });
    }

    private static string NextMinor(string version)
    {
        var parts = version.Split('.');
        return parts.Length == 2 && int.TryParse(parts[1], out var minor) ? $"{parts[0]}.{minor + 1}"
            : throw new ClusterCommandException($"cannot tell the next version after {version}: give --version");
    }
}
