using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Core;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>When the workload controllers count a pod as ready and as available.</summary>
internal static class PodAvailability
{
    /// <summary>Running, and its Ready condition true.</summary>
    public static bool IsRunningAndReady(JsonObject pod) =>
        pod["status"]?["phase"].AsText() == "Running" && PodConditions.IsTrue(pod, PodConditions.Ready);

    /// <summary>Ready for at least <paramref name="minReady"/>, by the Ready condition's transition time.</summary>
    public static bool IsAvailable(JsonObject pod, TimeSpan minReady, DateTimeOffset now)
    {
        if (minReady <= TimeSpan.Zero)
        {
            return true;
        }
        return KubeTime.Parse(PodConditions.Find(pod, PodConditions.Ready)?["lastTransitionTime"]) is { } since && now - since >= minReady;
    }
}
