using System.Net;
using Berth.Agent.Client;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Agent.Node;

/// <summary>
/// The node's heartbeat, as the kubelet keeps it: a Lease named after the node in <c>kube-node-lease</c>, owned by
/// the Node, renewed every ten seconds (a quarter of its 40-second duration). The node lifecycle controller counts
/// a node whose lease ran out as lost.
/// </summary>
internal sealed class NodeLease(IKubernetes client, AgentOptions options, TimeProvider time)
{
    public const string Namespace = "kube-node-lease";
    public const int DurationSeconds = 40;

    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(DurationSeconds / 4);

    /// <summary>Creates or renews the lease.</summary>
    public async Task RenewAsync(V1Node node, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            await client.CoordinationV1.PatchNamespacedLeaseAsync(
                MergePatch.Of(new V1Lease { Spec = new V1LeaseSpec { HolderIdentity = options.NodeName, LeaseDurationSeconds = DurationSeconds, RenewTime = now } }),
                options.NodeName, Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new V1ObjectMeta
                {
                    Name = options.NodeName,
                    NamespaceProperty = Namespace,
                    OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = node.Metadata.Name, Uid = node.Metadata.Uid }],
                },
                Spec = new V1LeaseSpec { HolderIdentity = options.NodeName, LeaseDurationSeconds = DurationSeconds, RenewTime = now },
            }, Namespace, cancellationToken: cancellationToken);
        }
    }
}
