using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>Why a container is waiting, as the kubelet says it: <c>ErrImagePull</c>, <c>CrashLoopBackOff</c> and the others, with a message.</summary>
internal sealed record WaitingReason(string Reason, string Message);

/// <summary>
/// A pod's status as the kubelet reports it, from what the runtime has of it: the phase (by the kubelet's
/// <c>getPhase</c> rules), the conditions, the addresses, and one status per container with its state, last state,
/// restart count and readiness.
/// </summary>
internal static class PodStatuses
{
    /// <summary>The pod conditions the agent writes, as the kubelet owns them.</summary>
    private static readonly HashSet<string> s_ownConditions = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"];

    private static bool IsOwnCondition(string type) => s_ownConditions.Contains(type);

    /// <summary>Why the pod's readiness gates keep it from Ready, as the kubelet says it; null when they all pass.</summary>
    private static string? ReadinessGatesUnready(V1Pod pod)
    {
        var messages = new List<string>();
        foreach (var gate in pod.Spec.ReadinessGates ?? [])
        {
            var condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == gate.ConditionType);
            if (condition is null)
            {
                messages.Add($"corresponding condition of pod readiness gate \"{gate.ConditionType}\" does not exist.");
            }
            else if (condition.Status != "True")
            {
                messages.Add($"the status of pod readiness gate \"{gate.ConditionType}\" is not \"True\", but {condition.Status}");
            }
        }
        return messages.Count == 0 ? null : string.Join(", ", messages);
    }

    public static V1PodStatus Build(PodStatusInputs inputs)
    {
        var pod = inputs.Pod;
        var policy = pod.Spec.RestartPolicy ?? "Always";
        var initStatuses = (pod.Spec.InitContainers ?? []).Select(c => ContainerStatusOf(inputs, c, init: true)).ToList();
        var statuses = pod.Spec.Containers.Select(c => ContainerStatusOf(inputs, c, init: false)).ToList();
        var initialized = initStatuses.All(s => s.State?.Terminated?.ExitCode == 0);
        var phase = PodPhases.IsTerminal(pod.Status?.Phase) ? pod.Status!.Phase : Phase(policy, initStatuses, initialized, statuses);
        var terminal = PodPhases.IsTerminal(phase);
        var unready = statuses.Where(s => !s.Ready).Select(s => s.Name).ToList();
        var gatesUnready = ReadinessGatesUnready(pod);
        var incomplete = initStatuses.Where(s => s.State?.Terminated?.ExitCode != 0).Select(s => s.Name).ToList();
        var sandboxReady = inputs.Sandbox is { Running: true } && !terminal;
        var podIp = inputs.Sandbox?.Ip ?? pod.Status?.PodIP;
        var conditions = new List<V1PodCondition>
        {
            Condition(inputs, "PodReadyToStartContainers", sandboxReady, null, null),
            Condition(inputs, "Initialized", initialized, terminal && initialized ? "PodCompleted" : "ContainersNotInitialized",
                $"containers with incomplete status: [{string.Join(' ', incomplete)}]"),
            unready.Count == 0 && !terminal && gatesUnready is not null
                ? Condition(inputs, "Ready", false, "ReadinessGatesNotReady", gatesUnready)
                : Condition(inputs, "Ready", unready.Count == 0 && !terminal, terminal ? "PodCompleted" : "ContainersNotReady",
                    $"containers with unready status: [{string.Join(' ', unready)}]"),
            Condition(inputs, "ContainersReady", unready.Count == 0 && !terminal, terminal ? "PodCompleted" : "ContainersNotReady",
                $"containers with unready status: [{string.Join(' ', unready)}]"),
        };
        // the conditions others own (PodScheduled, DisruptionTarget, readiness gates) stay as they are: a merge patch
        // replaces the whole list
        conditions.AddRange((pod.Status?.Conditions ?? []).Where(c => !IsOwnCondition(c.Type)));
        return new V1PodStatus
        {
            Phase = phase,
            HostIP = inputs.HostIp,
            HostIPs = [new V1HostIP { Ip = inputs.HostIp }],
            PodIP = podIp,
            PodIPs = podIp is null ? null : [new V1PodIP { Ip = podIp }],
            StartTime = pod.Status?.StartTime ?? inputs.Now,
            QosClass = pod.Status?.QosClass,
            Conditions = conditions,
            InitContainerStatuses = initStatuses.Count == 0 ? null : initStatuses,
            ContainerStatuses = statuses,
        };
    }

    /// <summary>The kubelet's <c>getPhase</c>: what the containers' states say of the pod as a whole.</summary>
    private static string Phase(string policy, List<V1ContainerStatus> init, bool initialized, List<V1ContainerStatus> containers)
    {
        if (!initialized)
        {
            var failed = init.Any(s => s.State?.Terminated is { ExitCode: not 0 } || s.LastState?.Terminated is { ExitCode: not 0 } && s.State?.Waiting is not null);
            return failed && policy == "Never" ? PodPhases.Failed : PodPhases.Pending;
        }
        int waiting = 0, running = 0, stopped = 0, succeeded = 0;
        foreach (var status in containers)
        {
            if (status.State?.Running is not null)
            {
                running++;
            }
            else if (status.State?.Terminated is { } terminated)
            {
                stopped++;
                succeeded += terminated.ExitCode == 0 ? 1 : 0;
            }
            else if (status.LastState?.Terminated is not null)
            {
                stopped++; // waiting to run again after it exited
            }
            else
            {
                waiting++;
            }
        }
        if (waiting > 0)
        {
            return PodPhases.Pending; // a container has not started yet
        }
        if (running > 0)
        {
            return PodPhases.Running;
        }
        if (stopped == 0)
        {
            return PodPhases.Pending;
        }
        return policy == "Always" ? PodPhases.Running
            : stopped == succeeded ? PodPhases.Succeeded
            : policy == "Never" ? PodPhases.Failed
            : PodPhases.Running;
    }

    private static V1ContainerStatus ContainerStatusOf(PodStatusInputs inputs, V1Container spec, bool init)
    {
        var mine = inputs.Containers.Where(c => c.Name == spec.Name).ToList();
        var latest = mine.MaxBy(c => (c.Attempt, c.CreatedAt));
        inputs.Waiting.TryGetValue(spec.Name, out var waiting);
        var status = new V1ContainerStatus
        {
            Name = spec.Name,
            Image = spec.Image,
            ImageID = latest?.ImageId ?? "",
            ContainerID = latest is null ? null : inputs.RuntimeScheme + "://" + latest.Id,
            RestartCount = latest?.Attempt ?? 0,
            Ready = false,
            Started = false,
        };
        if (latest is { State: ContainerState.Running })
        {
            status.State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = latest.StartedAt?.UtcDateTime } };
            status.Started = inputs.Started(spec.Name);
            status.Ready = status.Started == true && inputs.Ready(spec.Name) && !init;
            if (PodContainers.Previous(mine, spec.Name, latest) is { State: ContainerState.Exited } previous)
            {
                status.LastState = new V1ContainerState { Terminated = Terminated(inputs, previous) };
            }
        }
        else if (latest is { State: ContainerState.Exited } && waiting is null)
        {
            status.State = new V1ContainerState { Terminated = Terminated(inputs, latest) };
            if (PodContainers.Previous(mine, spec.Name, latest) is { State: ContainerState.Exited } previous)
            {
                status.LastState = new V1ContainerState { Terminated = Terminated(inputs, previous) };
            }
        }
        else
        {
            var reason = waiting?.Reason ?? (init || (inputs.Pod.Spec.InitContainers?.Count ?? 0) == 0 ? "ContainerCreating" : "PodInitializing");
            status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = waiting?.Message } };
            if (latest is { State: ContainerState.Exited })
            {
                status.LastState = new V1ContainerState { Terminated = Terminated(inputs, latest) };
            }
        }
        return status;
    }

    private static V1ContainerStateTerminated Terminated(PodStatusInputs inputs, ContainerStatus container) => new()
    {
        ExitCode = container.ExitCode,
        Reason = container.OomKilled ? "OOMKilled" : container.Error is not null && container.StartedAt is null ? "StartError"
            : container.ExitCode == 0 ? "Completed" : "Error",
        Message = container.Error,
        StartedAt = container.StartedAt?.UtcDateTime,
        FinishedAt = container.FinishedAt?.UtcDateTime,
        ContainerID = inputs.RuntimeScheme + "://" + container.Id,
    };

    /// <summary>A condition, keeping the time of the last transition when its status has not changed.</summary>
    private static V1PodCondition Condition(PodStatusInputs inputs, string type, bool value, string? reason, string? message)
    {
        var status = value ? "True" : "False";
        var previous = inputs.Pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1PodCondition
        {
            Type = type,
            Status = status,
            Reason = value ? null : reason,
            Message = value ? null : message,
            LastTransitionTime = previous?.Status == status ? previous.LastTransitionTime : inputs.Now,
        };
    }
}

/// <summary>What a pod's status is made from: the pod, what the runtime has of it, and what the agent knows beside.</summary>
internal sealed record PodStatusInputs(
    V1Pod Pod,
    SandboxStatus? Sandbox,
    IReadOnlyList<ContainerStatus> Containers,
    IReadOnlyDictionary<string, WaitingReason> Waiting,
    Func<string, bool> Ready,
    Func<string, bool> Started,
    string HostIp,
    string RuntimeScheme,
    DateTime Now);
