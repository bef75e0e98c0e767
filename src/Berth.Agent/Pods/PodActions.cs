using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Pods;

/// <summary>A container of the pod's spec to start, with the attempt it will be and the exited attempt it replaces, if any.</summary>
internal sealed record ContainerStart(V1Container Spec, bool Init, int Attempt, ContainerStatus? Previous);

/// <summary>
/// What one sync of a pod does, worked out from its spec and what the runtime runs, as the kubelet's
/// <c>computePodActions</c>: kill the pod's containers and start a new sandbox when its sandbox is gone; else run the
/// init containers one at a time in order, then start every container that is not running and that the restart
/// policy says should run again; and stop the containers whose liveness probe failed.
/// </summary>
internal sealed record PodActions(bool KillPod, SandboxStatus? Sandbox, int? NewSandboxAttempt, IReadOnlyList<ContainerStart> Start, IReadOnlyList<ContainerStatus> Kill)
{
    public static PodActions Compute(V1Pod pod, IReadOnlyList<SandboxStatus> sandboxes, IReadOnlyList<ContainerStatus> containers, ISet<string> unhealthy)
    {
        var policy = pod.Spec.RestartPolicy ?? "Always";
        var latest = PodContainers.Latest(containers);
        var sandbox = sandboxes.Where(s => s.Running).MaxBy(s => s.Attempt);
        var initContainers = pod.Spec.InitContainers ?? [];
        if (sandbox is null)
        {
            var started = pod.Spec.Containers.Any(c => latest.ContainsKey(c.Name));
            var attempt = sandboxes.Count == 0 ? 0 : sandboxes.Max(s => s.Attempt) + 1;
            var anyToRun = !started || pod.Spec.Containers.Any(c => latest.TryGetValue(c.Name, out var l) && ShouldRestart(policy, l));
            if (!anyToRun || PodPhases.IsTerminal(pod.Status?.Phase))
            {
                return new PodActions(KillPod: containers.Any(c => c.State == ContainerState.Running) || sandboxes.Count > 0, null, null, [], []);
            }
            // a new sandbox starts the pod over: its init containers run again
            var first = initContainers.Count > 0
                ? [Next(initContainers[0], init: true, latest)]
                : pod.Spec.Containers.Where(c => !(policy == "OnFailure" && latest.TryGetValue(c.Name, out var l) && l is { State: ContainerState.Exited, ExitCode: 0 }))
                    .Select(c => Next(c, init: false, latest)).ToList();
            return new PodActions(KillPod: containers.Any(c => c.State == ContainerState.Running) || sandboxes.Count > 0, null, attempt, first, []);
        }
        if (PodPhases.IsTerminal(pod.Status?.Phase))
        {
            return new PodActions(KillPod: true, sandbox, null, [], []);
        }
        foreach (var init in initContainers)
        {
            // what an init container did in an earlier sandbox does not count: a new sandbox runs them all again
            if (!latest.TryGetValue(init.Name, out var status) || status.State == ContainerState.Created || status.SandboxId != sandbox.Id)
            {
                return new PodActions(false, sandbox, null, [Next(init, init: true, latest)], []);
            }
            if (status.State == ContainerState.Running)
            {
                return new PodActions(false, sandbox, null, [], []);
            }
            if (status.ExitCode != 0)
            {
                // a failed init container runs again unless the policy is Never: then the pod has failed
                return policy == "Never"
                    ? new PodActions(KillPod: true, sandbox, null, [], [])
                    : new PodActions(false, sandbox, null, [Next(init, init: true, latest)], []);
            }
        }
        var start = new List<ContainerStart>();
        var kill = new List<ContainerStatus>();
        foreach (var container in pod.Spec.Containers)
        {
            if (!latest.TryGetValue(container.Name, out var status) || status.State == ContainerState.Created)
            {
                start.Add(Next(container, init: false, latest));
            }
            else if (status.State == ContainerState.Running)
            {
                if (unhealthy.Contains(container.Name))
                {
                    kill.Add(status);
                    if (policy != "Never")
                    {
                        start.Add(Next(container, init: false, latest));
                    }
                }
            }
            else if (ShouldRestart(policy, status))
            {
                start.Add(Next(container, init: false, latest));
            }
        }
        return new PodActions(false, sandbox, null, start, kill);
    }

    public override string ToString() =>
        $"kill pod {KillPod}, new sandbox {NewSandboxAttempt?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, "
        + $"start [{string.Join(',', Start.Select(s => s.Spec.Name))}], kill [{string.Join(',', Kill.Select(k => k.Name))}]";

    private static ContainerStart Next(V1Container spec, bool init, Dictionary<string, ContainerStatus> latest) =>
        latest.TryGetValue(spec.Name, out var previous)
            ? previous.State == ContainerState.Created
                ? new ContainerStart(spec, init, previous.Attempt, previous)
                : new ContainerStart(spec, init, previous.Attempt + 1, previous)
            : new ContainerStart(spec, init, 0, null);

    /// <summary>Whether an exited container runs again: always under Always, after a failure under OnFailure, never under Never.</summary>
    public static bool ShouldRestart(string policy, ContainerStatus status) =>
        status.State != ContainerState.Running && policy switch
        {
            "Always" => true,
            "OnFailure" => status.ExitCode != 0,
            _ => false,
        };
}
