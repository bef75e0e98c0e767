using System.Globalization;
using Berth.Aws.Controllers;
using Berth.Aws.Ec2;
using Berth.Kube.Clusters;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.AutoScaling;

/// <summary>
/// Keeps every Auto Scaling group at its desired capacity, as the service does. Too few instances in service: new ones
/// are launched, in the zone with the fewest. Too many: the newest in the fullest zone is taken out of service. A member
/// that is Terminating has its node drained first (evictions, so budgets hold, for at most
/// <see cref="DrainTimeout"/>), then EC2 terminates it. A member whose instance is impaired is replaced. Each step is
/// recorded as a scaling activity. A group marked for deletion goes once its instances have.
/// </summary>
internal sealed partial class AutoScalingController(IStore store, AutoScalingGroups groups, Ec2Instances instances, ClusterControl nodes, TimeProvider time,
    ILogger<AutoScalingController> logger) : ReconcilingService(store, time, logger)
{
    public const string DeleteInProgress = "Delete in progress";

    /// <summary>How long a node is drained before its instance is terminated anyway; EKS's managed node groups wait as long.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(15);

    protected override IReadOnlyList<string> Prefixes => [AutoScalingGroups.RootPrefix, Ec2Instances.RootPrefix];

    /// <summary>Drains progress without the store announcing it.</summary>
    protected override TimeSpan ResyncPeriod => TimeSpan.FromSeconds(2);

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var all = await groups.ListAllAsync(cancellationToken);
        if (all.Count == 0)
        {
            return;
        }
        var byId = (await instances.ListAllAsync(cancellationToken)).ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        foreach (var group in all)
        {
            try
            {
                await ReconcileAsync(group, byId, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogGroupFailed(logger, e, group.Name);
            }
        }
    }

    private async Task ReconcileAsync(AutoScalingGroup group, Dictionary<string, Ec2Instance> byId, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var members = group.Instances.ToList();
        var removed = new HashSet<string>(StringComparer.Ordinal);

        // instances of the group no member names: launched just before a restart, before they were entered
        foreach (var orphan in byId.Values.Where(i => i.AccountId == group.AccountId && i.Region == group.Region && i.State != "terminated"
            && i.Tags.GetValueOrDefault("aws:autoscaling:groupName") == group.Name && members.All(m => m.InstanceId != i.InstanceId)))
        {
            members.Add(new GroupMember(orphan.InstanceId, orphan.InstanceType, orphan.AvailabilityZone, "Pending", "Healthy", orphan.LaunchTime));
        }

        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            var instance = byId.GetValueOrDefault(member.InstanceId);
            if (instance is null || instance.State == "terminated")
            {
                if (member.Activity is { } ended)
                {
                    await groups.CompleteAsync(group, ended, "Successful", cancellationToken);
                }
                removed.Add(member.InstanceId);
                members.RemoveAt(i--);
            }
            else if (member.LifecycleState == "Pending" && instance.State == "running")
            {
                if (member.Activity is { } launched)
                {
                    await groups.CompleteAsync(group, launched, "Successful", cancellationToken);
                }
                members[i] = member with { LifecycleState = "InService", Activity = null };
            }
            else if (member.LifecycleState is "Pending" or "InService" && instance.Status == "impaired")
            {
                var activity = await groups.RecordAsync(group, $"Terminating EC2 instance: {member.InstanceId}",
                    $"At {Stamp(now)} an instance was taken out of service in response to an EC2 instance status checks failure.", done: false, cancellationToken);
                members[i] = member with { LifecycleState = "Terminating", HealthStatus = "Unhealthy", TerminatingSince = now, Activity = activity.ActivityId };
            }
        }

        var desired = group.Status == DeleteInProgress ? 0 : group.DesiredCapacity;
        var active = members.Where(m => !m.LifecycleState.StartsWith("Terminating", StringComparison.Ordinal)).ToList();
        if (active.Count < desired)
        {
            for (var n = active.Count; n < desired; n++)
            {
                members.Add(await LaunchAsync(group, active.Count, desired, members, now, cancellationToken));
            }
        }
        else if (active.Count > desired)
        {
            var victims = active.Where(m => !m.ProtectedFromScaleIn)
                .OrderByDescending(m => m.LifecycleState == "Pending")
                .ThenByDescending(m => active.Count(o => o.AvailabilityZone == m.AvailabilityZone))
                .ThenByDescending(m => m.LaunchedAt)
                .Take(active.Count - desired)
                .ToList();
            foreach (var victim in victims)
            {
                var activity = await groups.RecordAsync(group, $"Terminating EC2 instance: {victim.InstanceId}",
                    $"At {Stamp(now)} an instance was taken out of service in response to a difference between desired and actual capacity, "
                    + $"shrinking the capacity from {active.Count} to {desired}.", done: false, cancellationToken);
                members[members.IndexOf(victim)] = victim with { LifecycleState = "Terminating", TerminatingSince = now, Activity = activity.ActivityId };
            }
        }

        // members on their way out: drained, then terminated
        foreach (var member in members.Where(m => m.LifecycleState.StartsWith("Terminating", StringComparison.Ordinal)))
        {
            if (byId.GetValueOrDefault(member.InstanceId) is not { State: "pending" or "running" } instance)
            {
                continue;
            }
            var remaining = instance.Node is { } node && member.HealthStatus == "Healthy"
                ? await nodes.DrainAsync(node.Cluster, instance.NodeName, cancellationToken)
                : 0;
            if (remaining == 0 || now - member.TerminatingSince > DrainTimeout)
            {
                await instances.UpdateAsync(instance, i => i.State is "pending" or "running"
                    ? i with { State = "shutting-down", StateTransitionReason = $"User initiated ({Stamp(now)})" }
                    : i, cancellationToken);
            }
        }

        if (group.Status == DeleteInProgress && members.Count == 0)
        {
            await groups.DeleteAsync(group, cancellationToken);
            return;
        }
        if (!members.SequenceEqual(group.Instances))
        {
            await groups.UpdateAsync(group, latest => latest with { Instances = Merge(latest.Instances, group.Instances, members, removed) }, cancellationToken);
        }
    }

    /// <summary>Launches one instance into the zone with the fewest of the group's, as a Pending member.</summary>
    private async Task<GroupMember> LaunchAsync(AutoScalingGroup group, int from, int to, List<GroupMember> members, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var zone = group.AvailabilityZones.OrderBy(z => members.Count(m => m.AvailabilityZone == z && !m.LifecycleState.StartsWith("Terminating", StringComparison.Ordinal)))
            .ThenBy(z => z, StringComparer.Ordinal).First();
        var typeName = group.InstanceTypes[0];
        var type = InstanceType.Find(typeName) ?? throw new InvalidOperationException($"Unknown instance type {typeName}");
        var tags = group.Tags.Where(t => t.PropagateAtLaunch).ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        tags["aws:autoscaling:groupName"] = group.Name;
        NodeBootstrap? node = null;
        if (group.NodeTemplate is { } template)
        {
            var labels = new Dictionary<string, string>(template.Labels, StringComparer.Ordinal)
            {
                ["node.kubernetes.io/instance-type"] = typeName,
                ["topology.kubernetes.io/region"] = group.Region,
                ["topology.kubernetes.io/zone"] = zone,
            };
            node = template with
            {
                Labels = labels,
                Cpu = type.VCpus.ToString(CultureInfo.InvariantCulture),
                Memory = $"{type.MemoryMiB}Mi",
                MaxPods = type.MaxPods,
            };
        }
        var instance = await instances.LaunchAsync(group.AccountId, group.Region, typeName, zone, tags, node, cancellationToken);
        var activity = await groups.RecordAsync(group, $"Launching a new EC2 instance: {instance.InstanceId}",
            $"At {Stamp(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {from} to {to}.",
            done: false, cancellationToken);
        LogLaunched(logger, instance.InstanceId, group.Name);
        return new GroupMember(instance.InstanceId, typeName, zone, "Pending", "Healthy", now, Activity: activity.ActivityId);
    }

    /// <summary>
    /// This pass's members over the group as it is now: what the pass added, removed or moved on is applied; a member that
    /// a request took out of service meanwhile (TerminateInstanceInAutoScalingGroup) stays so.
    /// </summary>
    private static List<GroupMember> Merge(IReadOnlyList<GroupMember> latest, IReadOnlyList<GroupMember> read, List<GroupMember> mine, HashSet<string> removed)
    {
        var merged = new List<GroupMember>();
        foreach (var current in latest)
        {
            if (removed.Contains(current.InstanceId))
            {
                continue;
            }
            var ours = mine.FirstOrDefault(m => m.InstanceId == current.InstanceId);
            var before = read.FirstOrDefault(m => m.InstanceId == current.InstanceId);
            merged.Add(ours is null || (current != before && current.LifecycleState.StartsWith("Terminating", StringComparison.Ordinal)) ? current : ours);
        }
        merged.AddRange(mine.Where(m => latest.All(l => l.InstanceId != m.InstanceId) && read.All(r => r.InstanceId != m.InstanceId)));
        return merged;
    }

    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Launched instance {InstanceId} for Auto Scaling group {Group}")]
    private static partial void LogLaunched(ILogger logger, string instanceId, string group);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Error, Message = "Reconciling Auto Scaling group {Group} failed; trying again")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, string group);
}
