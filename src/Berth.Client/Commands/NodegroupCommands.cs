using System.CommandLine;
using System.Text.Json.Nodes;
using Berth.Client.Clusters;

namespace Berth.Client.Commands;

/// <summary><c>berth scale nodegroup</c> and <c>berth drain nodegroup</c>.</summary>
internal static class NodegroupCommands
{
    public static Command Scale()
    {
        var cluster = ClusterCommandLine.Cluster();
        var name = new Option<string>("--name", "-n") { Description = "The node group's name.", Required = true };
        var nodes = new Option<int?>("--nodes", "-N") { Description = "The number of nodes wanted." };
        var min = new Option<int?>("--nodes-min", "-m") { Description = "The least nodes the group may have." };
        var max = new Option<int?>("--nodes-max", "-M") { Description = "The most nodes the group may have." };
        var wait = new Option<bool>("--wait", "-w") { Description = "Wait until the group has its new count of Ready nodes." };
        var scale = new Command("nodegroup", "Change a node group's size.") { cluster, name, nodes, min, max, wait };
        ClusterCommandLine.SetAction(scale, async (parseResult, session, cancellationToken) =>
        {
            var (clusterName, group) = (parseResult.GetValue(cluster)!, parseResult.GetValue(name)!);
            var (wanted, least, most) = (parseResult.GetValue(nodes), parseResult.GetValue(min), parseResult.GetValue(max));
            if (wanted is null && least is null && most is null)
            {
                throw new ClusterCommandException("give --nodes, --nodes-min or --nodes-max");
            }
            if (wanted < 0 || least < 0 || most < 0)
            {
                throw new ClusterCommandException("--nodes, --nodes-min and --nodes-max must not be negative");
            }
            await CreatePartCommands.ActiveClusterAsync(session, clusterName, cancellationToken);
            var described = await session.Eks.DescribeNodegroupAsync(clusterName, group, cancellationToken)
                ?? throw new ClusterCommandException($"no node group named \"{group}\" in cluster \"{clusterName}\"");
            var current = described["scalingConfig"]!;
            var desired = wanted ?? current["desiredSize"]!.GetValue<int>();
            var (newMin, newMax) = (least ?? Math.Min(current["minSize"]!.GetValue<int>(), desired), most ?? Math.Max(current["maxSize"]!.GetValue<int>(), desired));
            if (newMin > newMax || desired < newMin || desired > newMax)
            {
                throw new ClusterCommandException($"the sizes do not fit: --nodes={desired} must lie within --nodes-min={newMin} and --nodes-max={newMax}");
            }
            session.Log.Info($"scaling node group \"{group}\" to {desired} node{(desired == 1 ? "" : "s")} (min {newMin}, max {newMax})");
            await session.Eks.UpdateNodegroupConfigAsync(clusterName, group, new JsonObject
            {
                ["scalingConfig"] = new JsonObject { ["minSize"] = newMin, ["maxSize"] = newMax, ["desiredSize"] = desired },
            }, cancellationToken);
            if (parseResult.GetValue(wait))
            {
                await session.WaitUntilAsync($"node group \"{group}\" to have {desired} Ready node{(desired == 1 ? "" : "s")}",
                    async ct => (await session.Eks.DescribeNodegroupAsync(clusterName, group, ct))?["status"]?.GetValue<string>() == "ACTIVE"
                        && await ReadyNodesAsync(session, clusterName, group, ct) == desired,
                    NodegroupCreator.Timeout, cancellationToken);
            }
            session.Log.Success($"node group \"{group}\" scaled");
            return ClusterCommandLine.Ok;
        });
        return ClusterCommandLine.WithAwsOptions(new Command("scale", "Scale node groups.") { scale });
    }

    public static Command Drain()
    {
        var cluster = ClusterCommandLine.Cluster();
        var name = new Option<string>("--name", "-n") { Description = "The node group's name.", Required = true };
        var undo = new Option<bool>("--undo") { Description = "Uncordon the nodes instead." };
        var timeout = new Option<int>("--max-grace-period-seconds") { Description = "How long to keep evicting before giving up, in seconds.", DefaultValueFactory = _ => 600 };
        var drain = new Command("nodegroup", "Cordon a node group's nodes and evict their pods, respecting PodDisruptionBudgets.") { cluster, name, undo, timeout };
        ClusterCommandLine.SetAction(drain, async (parseResult, session, cancellationToken) =>
        {
            var (clusterName, group) = (parseResult.GetValue(cluster)!, parseResult.GetValue(name)!);
            var described = await CreatePartCommands.ActiveClusterAsync(session, clusterName, cancellationToken);
            if (await session.Eks.DescribeNodegroupAsync(clusterName, group, cancellationToken) is null)
            {
                throw new ClusterCommandException($"no node group named \"{group}\" in cluster \"{clusterName}\"");
            }
            try
            {
                await new NodegroupDrainer(session).DrainAsync(described, group, parseResult.GetValue(undo), TimeSpan.FromSeconds(parseResult.GetValue(timeout)), cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ClusterCommandException($"pods of node group \"{group}\" were still running after {parseResult.GetValue(timeout)} s: a PodDisruptionBudget may hold them");
            }
            session.Log.Success($"{(parseResult.GetValue(undo) ? "uncordoned" : "drained")} node group \"{group}\"");
            return ClusterCommandLine.Ok;
        });
        return ClusterCommandLine.WithAwsOptions(new Command("drain", "Drain node groups.") { drain });
    }

    /// <summary>The group's nodes whose Ready condition is True, read from the cluster's API.</summary>
    private static async Task<int> ReadyNodesAsync(ClusterSession session, string cluster, string group, CancellationToken cancellationToken)
    {
        var described = await session.Eks.DescribeClusterAsync(cluster, cancellationToken) ?? throw new ClusterCommandException($"cluster \"{cluster}\" is gone");
        using var kube = Kube.ClusterApi.Connect(described, session.EksSettings, session.Time.GetUtcNow());
        var nodes = await k8s.CoreV1OperationsExtensions.ListNodeAsync(kube.CoreV1, labelSelector: $"eks.amazonaws.com/nodegroup={group}", cancellationToken: cancellationToken);
        return nodes.Items.Count(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
    }
}
