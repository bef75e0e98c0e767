using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>A running pod's status as the kubelet reports it: phase, conditions, addresses and one status per container.</summary>
internal static class PodStatuses
{
    public static V1PodStatus Running(V1Pod pod, RunningPod running, string hostIp, DateTime now)
    {
        IEnumerable<V1PodCondition> previous = pod.Status?.Conditions ?? [];
        V1PodCondition Condition(string type) =>
            previous.FirstOrDefault(c => c.Type == type && c.Status == "True") is { } kept
                ? new V1PodCondition { Type = type, Status = "True", LastTransitionTime = kept.LastTransitionTime }
                : new V1PodCondition { Type = type, Status = "True", LastTransitionTime = now };
        var started = running.Containers.Select(c => c.StartedAt).DefaultIfEmpty(new DateTimeOffset(now)).Min().UtcDateTime;
        return new V1PodStatus
        {
            Phase = "Running",
            HostIP = hostIp,
            HostIPs = [new V1HostIP { Ip = hostIp }],
            PodIP = running.PodIp,
            PodIPs = [new V1PodIP { Ip = running.PodIp }],
            StartTime = pod.Status?.StartTime ?? started,
            QosClass = pod.Status?.QosClass,
            Conditions =
            [
                Condition("PodReadyToStartContainers"),
                Condition("Initialized"),
                Condition("Ready"),
                Condition("ContainersReady"),
                Condition("PodScheduled"),
            ],
            ContainerStatuses = [.. running.Containers.Select(c => new V1ContainerStatus
            {
                Name = c.Name,
                Image = c.Image,
                ImageID = c.ImageId,
                ContainerID = c.ContainerId,
                Ready = true,
                Started = true,
                RestartCount = 0,
                State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = c.StartedAt.UtcDateTime } },
            })],
        };
    }
}
