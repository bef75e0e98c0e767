using System.Net;
using Berth.Agent.Client;
using k8s.Models;

namespace Berth.Agent.Node;

/// <summary>
/// The node's heartbeat, as the kubelet keeps it: a Lease named after the node in <c>kube-node-lease</c>, owned by
/// the Node, renewed every ten seconds (a quarter of its 40-second duration). The node lifecycle controller counts
/// a node whose lease ran out as lost.
/// </summary>
internal sealed class NodeLease(ApiClient client, AgentOptions options, TimeProvider time)
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
            await client.PatchAsync(ApiResources.Leases, Namespace, options.NodeName,
                new V1Lease { Spec = new V1LeaseSpec { HolderIdentity = options.NodeName, LeaseDurationSeconds = DurationSeconds, RenewTime = now } },
                cancellationToken);
        }
        catch (ApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            await client.CreateAsync(ApiResources.Leases, new V1Lease
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
            }, cancellationToken);
        }
    }
}
