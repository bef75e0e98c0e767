using System.Collections.Concurrent;
using System.Diagnostics;
using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>Image pulls of a pod's containers, under their pull policy and the pull back-off.</summary>
internal sealed partial class PodRunner
{
    /// <summary>Makes the container's image present as its pull policy says; returns how soon to try again when it is not.</summary>
    private async Task<TimeSpan?> EnsureImageAsync(V1Pod pod, V1Container spec, IReadOnlyList<RegistryCredential> credentials,
        ConcurrentDictionary<string, WaitingReason> waiting, CancellationToken cancellationToken)
    {
        var image = spec.Image;
        var policy = spec.ImagePullPolicy ?? (ImageReferences.Tag(image) is null or "latest" ? "Always" : "IfNotPresent");
        var present = await runtime.ImageIdAsync(image, cancellationToken) is not null;
        if (policy == "Never" && !present)
        {
            var message = $"Container image \"{image}\" is not present with pull policy of Never";
            waiting[spec.Name] = new WaitingReason("ErrImageNeverPull", message);
            events.Warning(pod, spec.Name, "ErrImageNeverPull", message);
            return s_configRetry;
        }
        if (policy == "Never" || policy == "IfNotPresent" && present)
        {
            events.Normal(pod, spec.Name, "Pulled", $"Container image \"{image}\" already present on machine");
            return null;
        }
        var key = $"{pod.Metadata.Uid}/{image}";
        if (_pullBackOff.InBackOffSinceUpdate(key, out var remaining) && waiting.TryGetValue(spec.Name, out var last) && last.Reason is "ErrImagePull" or "ImagePullBackOff")
        {
            var message = $"Back-off pulling image \"{image}\"";
            waiting[spec.Name] = new WaitingReason("ImagePullBackOff", message);
            events.Normal(pod, spec.Name, "BackOff", message);
            return remaining;
        }
        events.Normal(pod, spec.Name, "Pulling", $"Pulling image \"{image}\"");
        var clock = Stopwatch.StartNew();
        try
        {
            await runtime.PullImageAsync(image, credentials, cancellationToken);
        }
        catch (ImagePullException e)
        {
            _pullBackOff.Next(key, time.GetUtcNow());
            waiting[spec.Name] = new WaitingReason("ErrImagePull", e.Message);
            events.Warning(pod, spec.Name, "Failed", $"Failed to pull image \"{image}\": {e.Message}");
            events.Warning(pod, spec.Name, "Failed", "Error: ErrImagePull");
            // synced again at once, as the kubelet's worker is after an error: the pod then shows ImagePullBackOff
            // for the rest of the back-off
            return s_pullFailedResync;
        }
        events.Normal(pod, spec.Name, "Pulled", $"Successfully pulled image \"{image}\" in {Seconds(clock.Elapsed)}");
        return null;
    }
}
