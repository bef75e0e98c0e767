using System.CommandLine;
using Berth.Client.Clusters;
using Berth.Client.Config;

namespace Berth.Client.Commands;

/// <summary>The node group flags <c>create cluster</c> and <c>create nodegroup</c> share, with eksctl's defaults.</summary>
internal sealed class NodegroupFlags
{
    public Option<string> NodeType { get; } = new("--node-type") { Description = "Instance type of the nodes.", DefaultValueFactory = _ => NodeGroupDefaults.InstanceType };
    public Option<string?> InstanceTypes { get; } = new("--instance-types") { Description = "Comma-separated instance types (managed node groups; instead of --node-type)." };
    public Option<int> Nodes { get; } = new("--nodes", "-N") { Description = "Number of nodes.", DefaultValueFactory = _ => NodeGroupDefaults.Nodes };
    public Option<int?> NodesMin { get; } = new("--nodes-min", "-m") { Description = "Minimum nodes in the Auto Scaling group (default: --nodes)." };
    public Option<int?> NodesMax { get; } = new("--nodes-max", "-M") { Description = "Maximum nodes in the Auto Scaling group (default: --nodes)." };
    public Option<int?> VolumeSize { get; } = new("--node-volume-size") { Description = "Node disk size in GiB (recorded)." };
    public Option<string?> Labels { get; } = new("--node-labels") { Description = "Extra labels for the nodes: k1=v1,k2=v2." };
    public Option<bool> Spot { get; } = new("--spot") { Description = "Spot capacity (managed node groups)." };
    public Option<bool> Managed { get; } = new("--managed") { Description = "A managed node group (the default; Berth makes every node group managed).", DefaultValueFactory = _ => true };
    public Option<bool> AutoScaler { get; } = new("--asg-access") { Description = "Let the nodes' role scale the group, as the cluster autoscaler needs." };

    public IEnumerable<Option> All => [NodeType, InstanceTypes, Nodes, NodesMin, NodesMax, VolumeSize, Labels, Spot, Managed, AutoScaler];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The node group the flags describe, its sizes checked as eksctl checks them.</summary>
    public NodeGroupConfig Read(ParseResult parseResult, string name)
    {
        if (!parseResult.GetValue(Managed))
        {
            throw new ClusterCommandException("--managed=false: Berth makes every node group an EKS managed node group; leave the flag out");
        }
        var nodes = parseResult.GetValue(Nodes);
        var min = parseResult.GetValue(NodesMin) ?? nodes;
        var max = parseResult.GetValue(NodesMax) ?? Math.Max(nodes, min);
        if (parseResult.GetResult(Nodes) is { Implicit: true } && parseResult.GetValue(NodesMin) is { } givenMin)
        {
            nodes = Math.Max(givenMin, Math.Min(nodes, max)); // --nodes-min alone moves the default count into the range
        }
        if (nodes < 0 || min < 0 || max < 0)
        {
            throw new ClusterCommandException("--nodes, --nodes-min and --nodes-max must not be negative");
        }
        if (min > max)
        {
            throw new ClusterCommandException($"--nodes-min={min} is greater than --nodes-max={max}: the minimum must not exceed the maximum");
        }
        if (nodes < min || nodes > max)
        {
            throw new ClusterCommandException($"--nodes={nodes} is outside --nodes-min={min} and --nodes-max={max}");
        }
        var types = parseResult.GetValue(InstanceTypes) is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [parseResult.GetValue(NodeType)!];
        return new NodeGroupConfig
        {
            Name = name,
            InstanceTypes = types,
            DesiredCapacity = nodes,
            MinSize = min,
            MaxSize = max,
            VolumeSize = parseResult.GetValue(VolumeSize),
            Labels = ConfigFile.Pairs(parseResult.GetValue(Labels), "--node-labels"),
            Spot = parseResult.GetValue(Spot),
            AutoScalerPolicy = parseResult.GetValue(AutoScaler),
        };
    }

    /// <summary>eksctl's generated node group name: <c>ng-</c> and eight hex digits.</summary>
    public static string GeneratedName() => "ng-" + Guid.NewGuid().ToString("N")[..8];
}
