using System.Globalization;

namespace Berth.Agent.Runtime;

/// <summary>
/// The labels and names the agent gives what it runs, so that listing the runtime says which pod, container and
/// attempt each container is (as the kubelet's dockershim did) and which node runs it: several agents may share
/// one Podman service.
/// </summary>
internal static class RuntimeLabels
{
    public const string PodUid = "io.kubernetes.pod.uid";
    public const string PodName = "io.kubernetes.pod.name";
    public const string PodNamespace = "io.kubernetes.pod.namespace";
    public const string ContainerName = "io.kubernetes.container.name";
    public const string Attempt = "io.kubernetes.container.restartCount";
    public const string Type = "io.kubernetes.docker.type";
    public const string SandboxId = "io.kubernetes.sandbox.id";
    public const string Node = "io.berth.node";

    /// <summary>The label of the bridge networks Berth makes for pods, by which the last node's tear-down finds them.</summary>
    public const string PodNetwork = "io.berth.pod-network";

    public const string SandboxType = "podsandbox";
    public const string ContainerType = "container";

    /// <summary>The sandbox's name in the runtime: <c>k8s_POD_&lt;pod&gt;_&lt;namespace&gt;_&lt;uid&gt;_&lt;attempt&gt;</c>.</summary>
    public static string SandboxName(SandboxConfig config) => Name("POD", config.PodName, config.PodNamespace, config.PodUid, config.Attempt);

    /// <summary>A container's name in the runtime: <c>k8s_&lt;container&gt;_&lt;pod&gt;_&lt;namespace&gt;_&lt;uid&gt;_&lt;attempt&gt;</c>.</summary>
    public static string ContainerNameOf(ContainerConfig config) => Name(config.Name, config.PodName, config.PodNamespace, config.PodUid, config.Attempt);

    private static string Name(string container, string pod, string @namespace, string uid, int attempt) =>
        string.Join('_', "k8s", container, pod, @namespace, uid, attempt.ToString(CultureInfo.InvariantCulture));

    public static Dictionary<string, string> ForSandbox(string node, SandboxConfig config) => new(StringComparer.Ordinal)
    {
        [Node] = node,
        [Type] = SandboxType,
        [PodUid] = config.PodUid,
        [PodName] = config.PodName,
        [PodNamespace] = config.PodNamespace,
        [Attempt] = config.Attempt.ToString(CultureInfo.InvariantCulture),
    };

    public static Dictionary<string, string> ForContainer(string node, string sandboxId, ContainerConfig config) => new(StringComparer.Ordinal)
    {
        [Node] = node,
        [Type] = ContainerType,
        [SandboxId] = sandboxId,
        [PodUid] = config.PodUid,
        [PodName] = config.PodName,
        [PodNamespace] = config.PodNamespace,
        [ContainerName] = config.Name,
        [Attempt] = config.Attempt.ToString(CultureInfo.InvariantCulture),
    };

    public static int AttemptOf(IDictionary<string, string> labels) =>
        labels.TryGetValue(Attempt, out var value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) ? attempt : 0;
}
