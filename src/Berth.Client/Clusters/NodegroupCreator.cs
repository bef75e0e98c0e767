using System.Text.Json.Nodes;
using Berth.Client.Config;

namespace Berth.Client.Clusters;

/// <summary>
/// Node groups of either eksctl list, made as EKS managed node groups: an instance role each (with the cluster
/// autoscaler's policy when asked), then every group at once, then the wait until all are ACTIVE — in Berth, until
/// their nodes are Ready.
/// </summary>
public sealed class NodegroupCreator(ClusterSession session)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);

    /// <summary>Refuses instance types EC2 does not offer before anything is made.</summary>
    public async Task CheckAsync(IReadOnlyList<NodeGroupConfig> groups, CancellationToken cancellationToken)
    {
        var types = groups.SelectMany(g => g.InstanceTypes).Distinct(StringComparer.Ordinal).ToList();
        if (types.Count == 0)
        {
            return;
        }
        var offered = await session.Ec2.InstanceTypesAsync(cancellationToken);
        if (types.FirstOrDefault(t => !offered.Contains(t)) is { } unknown)
        {
            throw new ClusterCommandException($"instance type \"{unknown}\" is not offered by Berth; choose one of {string.Join(", ", offered)}");
        }
    }

    public async Task CreateAsync(JsonObject cluster, IReadOnlyList<NodeGroupConfig> groups, CancellationToken cancellationToken)
    {
        if (groups.Count == 0)
        {
            return;
        }
        var name = cluster["name"]!.GetValue<string>();
        var subnets = cluster["resourcesVpcConfig"]?["subnetIds"] as JsonArray ?? [];
        session.Log.Info($"creating {groups.Count} node group{(groups.Count == 1 ? "" : "s")} ({string.Join(", ", groups.Select(g => g.Name))}) in cluster \"{name}\"");
        foreach (var group in groups)
        {
            var roleArn = group.InstanceRoleArn;
            if (roleArn is null)
            {
                var role = ClusterRoles.NodeRole(name, group.Name);
                roleArn = await session.Iam.CreateRoleAsync(role, ClusterRoles.TrustingService("ec2.amazonaws.com"), ClusterRoles.Tags(name), cancellationToken);
                if (group.AutoScalerPolicy)
                {
                    await session.Iam.PutRolePolicyAsync(role, "PolicyAutoScaling", ClusterRoles.AutoScalerPolicy, cancellationToken);
                }
            }
            var input = new JsonObject
            {
                ["nodegroupName"] = group.Name,
                ["nodeRole"] = roleArn,
                ["instanceTypes"] = new JsonArray([.. group.InstanceTypes.Select(t => (JsonNode)t)]),
                ["scalingConfig"] = new JsonObject { ["minSize"] = group.MinSize, ["maxSize"] = group.MaxSize, ["desiredSize"] = group.DesiredCapacity },
                ["subnets"] = group.Subnets.Count > 0 ? new JsonArray([.. group.Subnets.Select(s => (JsonNode)s)]) : subnets.DeepClone(),
                ["labels"] = Map(group.Labels),
                ["taints"] = new JsonArray([.. group.Taints.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value, ["effect"] = t.Effect })]),
                ["tags"] = ClusterCreator.Tags(group.Tags, name),
                ["capacityType"] = group.Spot ? "SPOT" : "ON_DEMAND",
                ["clientRequestToken"] = Guid.NewGuid().ToString(),
            };
            if (group.VolumeSize is { } size)
            {
                input["diskSize"] = size;
            }
            if (group.AmiType is { } ami)
            {
                input["amiType"] = ami;
            }
            if (group.UpdateConfig is { } update)
            {
                input["updateConfig"] = update.DeepClone();
            }
            await session.Eks.CreateNodegroupAsync(name, input, cancellationToken);
            session.Log.Info($"creating node group \"{group.Name}\": {group.DesiredCapacity} × {string.Join("/", group.InstanceTypes)} (min {group.MinSize}, max {group.MaxSize})");
        }
        foreach (var group in groups)
        {
            var described = await session.WaitForAsync($"node group \"{group.Name}\" to become ACTIVE",
                ct => session.Eks.DescribeNodegroupAsync(name, group.Name, ct), "ACTIVE", ["CREATE_FAILED", "DEGRADED"], Timeout, cancellationToken);
            var nodes = described?["scalingConfig"]?["desiredSize"]?.GetValue<int>() ?? group.DesiredCapacity;
            session.Log.Success($"node group \"{group.Name}\" has {nodes} node{(nodes == 1 ? "" : "s")} Ready");
        }
    }

    private static JsonObject Map(IReadOnlyDictionary<string, string> values) => new(values.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
}
