using Berth.Aws.AutoScaling;
using Berth.Aws.Controllers;
using Berth.Aws.Ec2;
using Berth.Kube.Clusters;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.Eks;

/// <summary>
/// Gives each managed node group its Auto Scaling group, as EKS does: named <c>eks-&lt;group&gt;-&lt;uid&gt;</c>, tagged for
/// the cluster autoscaler, launching nodes with the EKS labels and the group's labels and taints. A group is ACTIVE once
/// as many of its nodes are Ready as it wants; DELETING takes the Auto Scaling group down (its nodes drained) and then
/// the node group.
/// </summary>
internal sealed class NodegroupController(IStore store, Nodegroups nodegroups, AutoScalingGroups groups, ClusterControl nodes, TimeProvider time,
    ILogger<NodegroupController> logger) : ReconcilingService(store, time, logger)
{
    public const string NodegroupLabel = "eks.amazonaws.com/nodegroup";

    private bool _waiting;

    protected override IReadOnlyList<string> Prefixes => [Nodegroups.RootPrefix, AutoScalingGroups.RootPrefix];

    /// <summary>Nodes turning Ready are not announced under the prefixes: while a group waits for them, look often.</summary>
    protected override TimeSpan ResyncPeriod => _waiting ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(30);

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var waiting = false;
        foreach (var group in await nodegroups.ListAllAsync(cancellationToken))
        {
            var asg = await groups.FindAsync(group.AccountId, group.Region, group.AutoScalingGroupName, cancellationToken);
            switch (group.Status)
            {
                case "CREATING" when asg is null:
                    await groups.CreateAsync(AutoScalingGroupOf(group), cancellationToken);
                    await groups.RecordAsync(AutoScalingGroupOf(group), "Created Auto Scaling group", $"At {AutoScalingController.Stamp(Time.GetUtcNow())} "
                        + $"a user request created an AutoScalingGroup changing the desired capacity from 0 to {group.DesiredSize}.", done: true, cancellationToken);
                    waiting = true;
                    break;
                case "CREATING" or "UPDATING" when asg is not null:
                    if (await ReadyNodesAsync(group, cancellationToken) >= asg.DesiredCapacity)
                    {
                        await nodegroups.UpdateAsync(group, g => g.Status is "CREATING" or "UPDATING" ? g with { Status = "ACTIVE", ModifiedAt = Time.GetUtcNow() } : g,
                            cancellationToken);
                    }
                    else
                    {
                        waiting = true;
                    }
                    break;
                case "ACTIVE" when asg is not null && !SameNodes(NodeTemplate(group), asg.NodeTemplate):
                    // labels or taints changed: the nodes launched from now on carry the new ones
                    await groups.UpdateAsync(asg, a => a with { NodeTemplate = NodeTemplate(group) }, cancellationToken);
                    break;
                case "DELETING" when asg is null:
                    await nodegroups.DeleteAsync(group, cancellationToken);
                    break;
                case "DELETING" when asg.Status != AutoScalingController.DeleteInProgress:
                    await groups.UpdateAsync(asg, a => a with { Status = AutoScalingController.DeleteInProgress }, cancellationToken);
                    break;
            }
        }
        _waiting = waiting;
    }

    private async Task<int> ReadyNodesAsync(Nodegroup group, CancellationToken cancellationToken) =>
        (await nodes.ListAsync(group.ClusterName, cancellationToken)).Count(n => n.Ready && n.Labels.GetValueOrDefault(NodegroupLabel) == group.Name);

    /// <summary>The Auto Scaling group EKS makes for a node group.</summary>
    public static AutoScalingGroup AutoScalingGroupOf(Nodegroup group) => new()
    {
        AccountId = group.AccountId,
        Region = group.Region,
        Name = group.AutoScalingGroupName,
        Uid = group.Uid,
        CreatedTime = group.CreatedAt,
        MinSize = group.MinSize,
        MaxSize = group.MaxSize,
        DesiredCapacity = group.DesiredSize,
        InstanceTypes = group.InstanceTypes,
        AvailabilityZones = [.. Ec2Service.ZoneSuffixes.Select(z => group.Region + z)],
        LaunchTemplateName = $"eks-{group.Uid}",
        NodeTemplate = NodeTemplate(group),
        Tags =
        [
            new("eks:cluster-name", group.ClusterName, true),
            new("eks:nodegroup-name", group.Name, true),
            new("k8s.io/cluster-autoscaler/enabled", "true", true),
            new($"k8s.io/cluster-autoscaler/{group.ClusterName}", "owned", true),
            new($"kubernetes.io/cluster/{group.ClusterName}", "owned", true),
        ],
    };

    private static bool SameNodes(NodeBootstrap wanted, NodeBootstrap? current) =>
        current is not null && wanted.Taints.SequenceEqual(current.Taints)
        && wanted.Labels.Count == current.Labels.Count && wanted.Labels.All(l => current.Labels.GetValueOrDefault(l.Key) == l.Value);

    /// <summary>What the group's nodes join as: the EKS labels, the group's own labels and taints.</summary>
    private static NodeBootstrap NodeTemplate(Nodegroup group)
    {
        var labels = new Dictionary<string, string>(group.Labels, StringComparer.Ordinal)
        {
            [NodegroupLabel] = group.Name,
            ["eks.amazonaws.com/capacityType"] = group.CapacityType,
            ["eks.amazonaws.com/nodegroup-image"] = "berth-agent",
            ["eks.amazonaws.com/sourceLaunchTemplateId"] = $"lt-{group.Uid.Replace("-", "", StringComparison.Ordinal)[..17]}",
        };
        var taints = group.Taints.Select(t => t.Value is { Length: > 0 } value ? $"{t.Key}={value}:{t.KubernetesEffect}" : $"{t.Key}:{t.KubernetesEffect}").ToList();
        return new NodeBootstrap(group.ClusterName, labels, taints, "", "", 0);
    }
}
