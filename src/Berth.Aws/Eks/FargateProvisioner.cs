using System.Security.Cryptography;
using Berth.Aws.Ec2;
using Berth.Kube.Clusters;

namespace Berth.Aws.Eks;

/// <summary>
/// Fargate's capacity: each pod the <c>fargate-scheduler</c> places gets a machine of its own, sized by
/// <see cref="FargateSize"/>, whose node (<c>fargate-ip-…</c>, tainted so nothing else lands there) it is bound to with
/// EKS's <c>CapacityProvisioned</c> annotation. The machine is an instance the account does not see, ended when the
/// pod finishes or goes.
/// </summary>
internal sealed class FargateProvisioner(Ec2Instances instances, EksClusters clusters) : INodeProvisioner
{
    public const string PodUidTag = "eks:fargate-pod-uid";
    public const string ComputeTypeLabel = "eks.amazonaws.com/compute-type";

    public string SchedulerName => FargateAdmission.SchedulerName;

    public async Task<ProvisionedNode> ProvisionAsync(string cluster, PodToPlace pod, CancellationToken cancellationToken)
    {
        var size = FargateSize.For(pod.MilliCpu, pod.MemoryBytes)
            ?? throw new InvalidOperationException($"Pod {pod.Namespace}/{pod.Name} asks more than the largest Fargate size (16 vCPU, 120 GB).");
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { ["CapacityProvisioned"] = size.Annotation };
        if (await MachineOfAsync(pod.Uid, cancellationToken) is { } existing)
        {
            return new ProvisionedNode(existing.NodeName, annotations);
        }
        var owner = (await clusters.ListAllAsync(cancellationToken)).FirstOrDefault(c => c.Name == cluster)
            ?? throw new InvalidOperationException($"No EKS cluster serves {cluster}.");
        var zone = owner.Region + Ec2Service.ZoneSuffixes[RandomNumberGenerator.GetInt32(Ec2Service.ZoneSuffixes.Count)];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ComputeTypeLabel] = "fargate",
            ["topology.kubernetes.io/region"] = owner.Region,
            ["topology.kubernetes.io/zone"] = zone,
            ["failure-domain.beta.kubernetes.io/region"] = owner.Region,
            ["failure-domain.beta.kubernetes.io/zone"] = zone,
        };
        var node = new NodeBootstrap(cluster, labels, [$"{ComputeTypeLabel}=fargate:NoSchedule"], size.CpuQuantity, size.MemoryQuantity, MaxPods: 1);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PodUidTag] = pod.Uid,
            ["eks:cluster-name"] = cluster,
            ["eks:fargate-profile"] = pod.Labels.GetValueOrDefault(FargateAdmission.ProfileLabel) ?? "",
        };
        var machine = await instances.LaunchAsync(owner.AccountId, owner.Region, "fargate", zone, tags, node, cancellationToken, fargate: true);
        return new ProvisionedNode(machine.NodeName, annotations);
    }

    public async Task ReleaseAsync(string cluster, string podUid, CancellationToken cancellationToken)
    {
        if (await MachineOfAsync(podUid, cancellationToken) is { } machine)
        {
            await instances.UpdateAsync(machine, i => i.State is "pending" or "running" ? i with { State = "shutting-down" } : i, cancellationToken);
        }
    }

    private async Task<Ec2Instance?> MachineOfAsync(string podUid, CancellationToken cancellationToken) =>
        (await instances.ListAllAsync(cancellationToken)).FirstOrDefault(i => i.Fargate && i.State is "pending" or "running"
            && i.Tags.GetValueOrDefault(PodUidTag) == podUid);
}
