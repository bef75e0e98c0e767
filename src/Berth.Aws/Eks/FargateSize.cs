using System.Globalization;

namespace Berth.Aws.Eks;

/// <summary>
/// The vCPU and memory Fargate gives a pod, by EKS's rule: the pod's request (the larger of its init containers' and the
/// sum of its containers'), plus 256 MiB of memory for Kubernetes' components, rounded up to the smallest valid
/// combination that holds both.
/// </summary>
public sealed record FargateSize(decimal VCpu, decimal MemoryGb)
{
    private const long ComponentsMemory = 256L * 1024 * 1024;
    private const long Gb = 1024L * 1024 * 1024;

    /// <summary>Fargate's combinations: each vCPU size with its memory sizes in GB.</summary>
    private static readonly (decimal VCpu, decimal[] Memory)[] s_combinations =
    [
        (0.25m, [0.5m, 1, 2]),
        (0.5m, [1, 2, 3, 4]),
        (1, Steps(2, 8, 1)),
        (2, Steps(4, 16, 1)),
        (4, Steps(8, 30, 1)),
        (8, Steps(16, 60, 4)),
        (16, Steps(32, 120, 8)),
    ];

    /// <summary>The size for a pod asking <paramref name="milliCpu"/> and <paramref name="memoryBytes"/>; null when none is large enough.</summary>
    public static FargateSize? For(long milliCpu, long memoryBytes)
    {
        var memory = memoryBytes + ComponentsMemory;
        foreach (var (vcpu, sizes) in s_combinations)
        {
            if (vcpu * 1000 < milliCpu)
            {
                continue;
            }
            foreach (var gb in sizes)
            {
                if (gb * Gb >= memory)
                {
                    return new FargateSize(vcpu, gb);
                }
            }
        }
        return null;
    }

    /// <summary>As EKS annotates the pod: <c>0.25vCPU 0.5GB</c>.</summary>
    public string Annotation => $"{VCpu.ToString("0.##", CultureInfo.InvariantCulture)}vCPU {MemoryGb.ToString("0.##", CultureInfo.InvariantCulture)}GB";

    /// <summary>The node's CPU as a Kubernetes quantity.</summary>
    public string CpuQuantity => $"{(long)(VCpu * 1000)}m";

    /// <summary>The node's memory as a Kubernetes quantity.</summary>
    public string MemoryQuantity => $"{(long)(MemoryGb * 1024)}Mi";

    private static decimal[] Steps(int from, int to, int step) => [.. Enumerable.Range(0, ((to - from) / step) + 1).Select(i => (decimal)(from + (i * step)))];
}
