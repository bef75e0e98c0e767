using System.Text.Json.Serialization;
using Berth.Aws.Ec2;

namespace Berth.Aws.AutoScaling;

/// <summary>
/// An Auto Scaling group as the store holds it, under <c>/aws/autoscaling/groups/&lt;account&gt;/&lt;region&gt;/&lt;name&gt;</c>:
/// its sizes, what its instances are launched as, its tags, and its members with their lifecycle states. The instances
/// themselves are EC2's.
/// </summary>
public sealed record AutoScalingGroup
{
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string Name { get; init; }

    public required string Uid { get; init; }

    public required DateTimeOffset CreatedTime { get; init; }

    public required int MinSize { get; init; }

    public required int MaxSize { get; init; }

    public required int DesiredCapacity { get; init; }

    /// <summary>The instance types it launches, the first preferred (its mixed instances policy's overrides).</summary>
    public required IReadOnlyList<string> InstanceTypes { get; init; }

    public required IReadOnlyList<string> AvailabilityZones { get; init; }

    /// <summary>The launch template its instances start from; EKS names it after the node group.</summary>
    public required string LaunchTemplateName { get; init; }

    /// <summary>What its instances join as, beside what their type offers: their cluster, labels and taints.</summary>
    public NodeBootstrap? NodeTemplate { get; init; }

    public IReadOnlyList<GroupTag> Tags { get; init; } = [];

    /// <summary>Null, or <c>Delete in progress</c> while its instances are being terminated before it goes.</summary>
    public string? Status { get; init; }

    public IReadOnlyList<GroupMember> Instances { get; init; } = [];

    [JsonIgnore]
    public string Arn => $"arn:aws:autoscaling:{Region}:{AccountId}:autoScalingGroup:{Uid}:autoScalingGroupName/{Name}";
}

/// <summary>A tag of a group; <see cref="PropagateAtLaunch"/> tags are put on the instances it launches.</summary>
public sealed record GroupTag(string Key, string Value, bool PropagateAtLaunch);

/// <summary>
/// An instance of a group: Pending until EC2 runs it, InService, then Terminating (its node drained first) until EC2 has
/// terminated it. <see cref="HealthStatus"/> is Healthy or Unhealthy.
/// </summary>
public sealed record GroupMember(string InstanceId, string InstanceType, string AvailabilityZone, string LifecycleState, string HealthStatus,
    DateTimeOffset LaunchedAt, bool ProtectedFromScaleIn = false, DateTimeOffset? TerminatingSince = null, string? Activity = null);

/// <summary>A scaling activity, as DescribeScalingActivities shows it, under <c>/aws/autoscaling/activities/&lt;account&gt;/&lt;region&gt;/&lt;group&gt;/&lt;id&gt;</c>.</summary>
public sealed record ScalingActivity
{
    public required string ActivityId { get; init; }

    public required string AutoScalingGroupName { get; init; }

    public required string Description { get; init; }

    public required string Cause { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>InProgress, Successful, Failed or Cancelled.</summary>
    public required string StatusCode { get; init; }

    public string? StatusMessage { get; init; }

    public int Progress { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AutoScalingGroup))]
[JsonSerializable(typeof(ScalingActivity))]
internal sealed partial class AutoScalingJson : JsonSerializerContext;
