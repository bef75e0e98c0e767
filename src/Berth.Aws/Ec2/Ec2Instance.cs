using System.Text.Json.Serialization;

namespace Berth.Aws.Ec2;

/// <summary>
/// An EC2 instance as the store holds it, under <c>/aws/ec2/instances/&lt;account&gt;/&lt;region&gt;/&lt;id&gt;</c>. An instance
/// is a machine an <see cref="IInstanceProvider"/> runs; one that boots as a node (<see cref="Node"/>: what EKS's bootstrap
/// script gives the kubelet) runs a <c>berth agent</c> joining that cluster.
/// </summary>
public sealed record Ec2Instance
{
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string InstanceId { get; init; }

    public required string InstanceType { get; init; }

    /// <summary>pending, running, shutting-down or terminated.</summary>
    public required string State { get; init; }

    public required DateTimeOffset LaunchTime { get; init; }

    /// <summary>The instance's private address, 10.0.x.y, unique in the installation.</summary>
    public required string PrivateIpAddress { get; init; }

    public required string AvailabilityZone { get; init; }

    /// <summary>ok, or impaired once the machine stopped answering (its process died): Auto Scaling replaces it.</summary>
    public string Status { get; init; } = "ok";

    /// <summary>Why the state last changed, as EC2's <c>StateTransitionReason</c> says it.</summary>
    public string StateTransitionReason { get; init; } = "";

    public DateTimeOffset? TerminatedAt { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public NodeBootstrap? Node { get; init; }

    /// <summary>A Fargate pod's machine: not an EC2 instance the account sees (DescribeInstances leaves it out), its node named <c>fargate-ip-…</c>.</summary>
    public bool Fargate { get; init; }

    /// <summary>The node the instance's agent registers: its private DNS name, as EKS names nodes.</summary>
    [JsonIgnore]
    public string NodeName => Fargate ? "fargate-" + PrivateDnsName : PrivateDnsName;

    [JsonIgnore]
    public string PrivateDnsName => $"ip-{PrivateIpAddress.Replace('.', '-')}.{Region}.compute.internal";

    /// <summary>Where the node listens: the loopback address of the same last two octets (127.10.x.y), reachable on this host without setup.</summary>
    [JsonIgnore]
    public string NodeAddress => "127.10." + string.Join('.', PrivateIpAddress.Split('.')[2..]);

    /// <summary>EC2's state codes: the low byte of <c>InstanceState.Code</c>.</summary>
    [JsonIgnore]
    public int StateCode => State switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        _ => 80,
    };
}

/// <summary>What an instance's node joins as: its cluster, labels and taints (<c>key[=value]:Effect</c>), and what it offers.</summary>
public sealed record NodeBootstrap(string Cluster, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<string> Taints, string Cpu, string Memory, int MaxPods);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Ec2Instance))]
internal sealed partial class Ec2Json : JsonSerializerContext;
