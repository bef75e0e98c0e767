using Berth.Agent.Pods;
using k8s.Models;

namespace Berth.Agent.Server;

/// <summary>
/// Which container a request for logs or exec means, decided from the pod's status as the kubelet decides it, with
/// the kubelet's messages when there is none to serve.
/// </summary>
internal sealed class ContainerTargets(PodSync pods)
{
    public V1Pod Pod(string @namespace, string name) =>
        pods.Find(@namespace, name) ?? throw new AgentRequestException(404, $"pod \"{name}\" does not exist");

    /// <summary>The container whose log to read: the running or last one, or with <paramref name="previous"/> the one before.</summary>
    public static string ForLog(V1Pod pod, string container, bool previous)
    {
        var name = pod.Metadata.Name;
        var status = StatusOf(pod, container)
            ?? throw new AgentRequestException(400, $"container \"{container}\" in pod \"{name}\" is not available");
        var last = status.LastState?.Terminated;
        var state = status.State;
        string? id;
        if (previous)
        {
            id = NonEmpty(last?.ContainerID) ?? throw new AgentRequestException(400, $"previous terminated container \"{container}\" in pod \"{name}\" not found");
        }
        else if (state?.Running is not null)
        {
            id = status.ContainerID;
        }
        else if (state?.Terminated is { } terminated)
        {
            id = NonEmpty(terminated.ContainerID) ?? NonEmpty(last?.ContainerID)
                ?? throw new AgentRequestException(400, $"container \"{container}\" in pod \"{name}\" is terminated");
        }
        else if (last is not null)
        {
            id = NonEmpty(last.ContainerID) ?? throw new AgentRequestException(400, $"container \"{container}\" in pod \"{name}\" is terminated");
        }
        else if (state?.Waiting is { } waiting)
        {
            throw new AgentRequestException(400, $"container \"{container}\" in pod \"{name}\" is waiting to start: " + waiting.Reason switch
            {
                "ErrImagePull" => "image can't be pulled",
                "ImagePullBackOff" => "trying and failing to pull image",
                var reason => reason,
            });
        }
        else
        {
            throw new AgentRequestException(400, $"container \"{container}\" in pod \"{name}\" is waiting to start - no logs yet");
        }
        return RuntimeId(id);
    }

    /// <summary>The running container a command is to run in.</summary>
    public static string Running(V1Pod pod, string container) =>
        StatusOf(pod, container) is { State.Running: not null, ContainerID: { Length: > 0 } id }
            ? RuntimeId(id)
            : throw new AgentRequestException(500, $"container not found (\"{container}\")");

    private static V1ContainerStatus? StatusOf(V1Pod pod, string container) =>
        (pod.Status?.ContainerStatuses ?? []).Concat(pod.Status?.InitContainerStatuses ?? []).FirstOrDefault(s => s.Name == container);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The runtime's id of a status's <c>containerID</c> (<c>podman://&lt;id&gt;</c>).</summary>
    private static string RuntimeId(string? containerId) =>
        containerId?.Split("://", 2) is [_, var id] ? id : containerId ?? "";
}
