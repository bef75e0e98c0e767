using System.Text.Json.Nodes;

namespace Berth.Kube.Clusters;

/// <summary>
/// A mutating admission step for new pods that the cloud side adds, as EKS's Fargate webhook does: it may change the
/// pod (its scheduler, labels, annotations) before it is validated and stored.
/// </summary>
public interface IPodAdmission
{
    Task AdmitAsync(string cluster, JsonObject pod, CancellationToken cancellationToken);
}

/// <summary>
/// The cloud side's capacity for pods that each get a node of their own (EKS's Fargate): the pods whose
/// <c>spec.schedulerName</c> is <see cref="SchedulerName"/> are placed by asking it for their node.
/// </summary>
public interface INodeProvisioner
{
    string SchedulerName { get; }

    /// <summary>The node made for the pod (asked again, the same one), and what the pod is annotated with when bound to it.</summary>
    Task<ProvisionedNode> ProvisionAsync(string cluster, PodToPlace pod, CancellationToken cancellationToken);

    /// <summary>The pod finished or went: its node may go.</summary>
    Task ReleaseAsync(string cluster, string podUid, CancellationToken cancellationToken);
}

/// <summary>
/// A pod to give a node: who it is, and what it asks of a node as kube-scheduler counts it (the sum of its containers'
/// requests, or an init container's if larger, plus its overhead), CPU in millicores and memory in bytes.
/// </summary>
public sealed record PodToPlace(string Uid, string Namespace, string Name, IReadOnlyDictionary<string, string> Labels, long MilliCpu, long MemoryBytes);

/// <summary>A node made for one pod: its name, and the annotations the pod gets (Fargate's <c>CapacityProvisioned</c>).</summary>
public sealed record ProvisionedNode(string NodeName, IReadOnlyDictionary<string, string> Annotations);
