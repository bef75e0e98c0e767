using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>What a pod's containers start in: its sandbox, its volumes and its pull credentials.</summary>
internal sealed partial class PodRunner
{
    /// <summary>What every container of one sync shares: the pod's objects, volumes and pull credentials.</summary>
    private sealed record StartContext(PodObjects Objects, IReadOnlyDictionary<string, (string Path, bool ReadOnly)> Volumes, IReadOnlyList<RegistryCredential> Credentials);

    private async Task<SandboxStatus> RunSandboxAsync(V1Pod pod, int attempt, CancellationToken cancellationToken)
    {
        // a pod on the host's network joins no bridge; any other gets an address of the node's pod CIDR
        var attachment = pod.Spec.HostNetwork == true ? null : await network.ReserveAsync(pod.Metadata.Uid, cancellationToken);
        try
        {
            return await runtime.RunSandboxAsync(SandboxConfigs.For(pod, attempt, attachment, options), cancellationToken);
        }
        finally
        {
            network.Release(pod.Metadata.Uid);
        }
    }

    /// <summary>
    /// The pod's volumes (its downward API files show its metadata only, as Kubernetes allows) and pull credentials;
    /// null when a volume could not be made, said in an event.
    /// </summary>
    private async Task<StartContext?> PrepareAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var objects = new PodObjects(client, pod.Metadata.NamespaceProperty);
        try
        {
            var podVolumes = await volumes.SetUpAsync(pod, objects, options.Address.ToString(), options.Allocatable, cancellationToken);
            return new StartContext(objects, podVolumes, await PullSecrets.ResolveAsync(pod, objects, cancellationToken));
        }
        catch (VolumeSetupException e)
        {
            events.Warning(pod, null, "FailedMount", e.Message);
            return null;
        }
    }
}
