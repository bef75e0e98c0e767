namespace Berth.Aws.Ec2;

/// <summary>An EC2 instance type Berth offers: its vCPUs and memory, given to the node that an instance of it becomes.</summary>
public sealed record InstanceType(string Name, int VCpus, int MemoryMiB, int MaxPods)
{
    /// <summary>The types offered, with AWS's figures (memory in MiB; max pods as the VPC CNI's ENI limits give them on EKS).</summary>
    public static readonly IReadOnlyList<InstanceType> Offered =
    [
        new("t3.micro", 2, 1024, 4),
        new("t3.small", 2, 2048, 11),
        new("t3.medium", 2, 4096, 17),
        new("t3.large", 2, 8192, 35),
        new("t3.xlarge", 4, 16384, 58),
        new("t3.2xlarge", 8, 32768, 58),
        new("m5.large", 2, 8192, 29),
        new("m5.xlarge", 4, 16384, 58),
        new("m5.2xlarge", 8, 32768, 58),
        new("c5.large", 2, 4096, 29),
        new("c5.xlarge", 4, 8192, 58),
        new("c5.2xlarge", 8, 16384, 58),
        new("r5.large", 2, 16384, 29),
        new("r5.xlarge", 4, 32768, 58),
    ];

    public static InstanceType? Find(string name) => Offered.FirstOrDefault(t => t.Name == name);
}
