using System.Net;
using System.Text.Json.Nodes;
using Berth.Client.Kube;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Client.Clusters;

/// <summary>
/// <c>berth drain nodegroup</c>, as kubectl drain does it for each of the group's nodes: cordon, then evict every pod
/// but DaemonSets' and static ones through the eviction subresource, so PodDisruptionBudgets hold it back; retried
/// while a budget says no. <c>--undo</c> uncordons.
/// </summary>
public sealed class NodegroupDrainer(ClusterSession session)
{
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(1);

    public async Task DrainAsync(JsonObject cluster, string nodegroup, bool undo, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var kube = ClusterApi.Connect(cluster, session.EksSettings, session.Time.GetUtcNow());
        var nodes = (await kube.CoreV1.ListNodeAsync(labelSelector: $"eks.amazonaws.com/nodegroup={nodegroup}", cancellationToken: cancellationToken)).Items;
        if (nodes.Count == 0)
        {
            session.Log.Warning($"node group \"{nodegroup}\" has no nodes");
            return;
        }
        foreach (var node in nodes)
        {
            var patch = new JsonObject { ["spec"] = new JsonObject { ["unschedulable"] = undo ? null : true } };
            await kube.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), node.Name(), cancellationToken: cancellationToken);
            session.Log.Info($"{(undo ? "uncordoned" : "cordoned")} node \"{node.Name()}\"");
        }
        if (undo)
        {
            return;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        foreach (var node in nodes)
        {
            await session.Log.WaitAsync($"evicting the pods of node \"{node.Name()}\"", () => EvictAsync(kube, node.Name(), deadline.Token));
            session.Log.Success($"drained node \"{node.Name()}\"");
        }
    }

    private async Task EvictAsync(Kubernetes kube, string node, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pods = (await kube.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={node}", cancellationToken: cancellationToken)).Items
                .Where(p => p.Status?.Phase is not ("Succeeded" or "Failed"))
                .Where(p => p.OwnerReferences()?.Any(o => o.Kind == "DaemonSet") != true && p.Annotations()?.ContainsKey("kubernetes.io/config.mirror") != true)
                .ToList();
            if (pods.Count == 0)
            {
                return;
            }
            foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
            {
                try
                {
                    await kube.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = pod.Name(), NamespaceProperty = pod.Namespace() } },
                        pod.Name(), pod.Namespace(), cancellationToken: cancellationToken);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.NotFound)
                {
                    // a disruption budget holds it for now, or it is gone already: asked again on the next round
                }
            }
            await Task.Delay(s_retry, session.Time, cancellationToken);
        }
    }
}
