using Berth.Agent.Runtime;

namespace Berth.Agent.Pods;

/// <summary>Views over what the runtime has of one pod's containers.</summary>
internal static class PodContainers
{
    /// <summary>The latest attempt of each container, by name.</summary>
    public static Dictionary<string, ContainerStatus> Latest(IEnumerable<ContainerStatus> containers) =>
        containers.GroupBy(c => c.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(c => (c.Attempt, c.CreatedAt))!, StringComparer.Ordinal);

    /// <summary>The attempt before the latest of a container, when the runtime still has it (for its last state and logs).</summary>
    public static ContainerStatus? Previous(IEnumerable<ContainerStatus> containers, string name, ContainerStatus latest) =>
        containers.Where(c => c.Name == name && c.Id != latest.Id && c.Attempt < latest.Attempt).MaxBy(c => c.Attempt);
}
