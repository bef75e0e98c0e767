using System.Net;
using Berth.Agent.Client;
using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Node;

/// <summary>
/// Registers the agent's Node and reports its status, as the kubelet does: capacity and allocatable, the
/// well-known labels, its addresses, the pressure conditions and Ready (False while the runtime is down), and
/// what it runs on. A condition's <c>lastTransitionTime</c> moves only when its status changes.
/// </summary>
internal sealed class NodeRegistration(ApiClient client, AgentOptions options, IContainerRuntime runtime, RuntimeHealth health, TimeProvider time)
{
    /// <summary>Creates the Node, or takes over the one of that name a previous run of the agent made; returns it.</summary>
    public async Task<V1Node> RegisterAsync(CancellationToken cancellationToken)
    {
        V1Node node;
        try
        {
            node = await client.CreateAsync(ApiResources.Nodes, NewNode(), cancellationToken);
        }
        catch (ApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // a merge patch adds and overwrites these labels and leaves the Node's others alone
            node = await client.PatchAsync(ApiResources.Nodes, null, options.NodeName,
                new V1Node { Metadata = new V1ObjectMeta { Labels = Labels() } }, cancellationToken);
        }
        return await ReportStatusAsync(node, cancellationToken);
    }

    /// <summary>How often the Node's status is written when nothing changed, as the kubelet's node status report frequency.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(5);

    /// <summary>How often the status the server holds is compared with the node's, as the kubelet's node status update frequency.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Writes the status when the server's copy says otherwise (the node lifecycle controller marked the node
    /// Unknown while the agent was away, or the runtime went down or came back) or the report interval has passed.
    /// </summary>
    public async Task SyncStatusAsync(CancellationToken cancellationToken)
    {
        var node = await client.ReadAsync(ApiResources.Nodes, null, options.NodeName, cancellationToken);
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        if (ready?.Status != ReadyStatus() || ready.LastHeartbeatTime is not { } heartbeat
            || time.GetUtcNow() - new DateTimeOffset(DateTime.SpecifyKind(heartbeat, DateTimeKind.Utc)) >= ReportInterval)
        {
            await ReportStatusAsync(node, cancellationToken);
        }
    }

    /// <summary>Writes the Node's status afresh over <paramref name="current"/>, heartbeat times included.</summary>
    private async Task<V1Node> ReportStatusAsync(V1Node current, CancellationToken cancellationToken) =>
        await client.PatchAsync(ApiResources.Nodes, null, options.NodeName, new V1Node { Status = Status(current.Status?.Conditions) },
            cancellationToken, subresource: "status");

    private V1Node NewNode() => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = options.NodeName, Labels = Labels() },
        Spec = options.Taints.Count > 0 ? new V1NodeSpec { Taints = [.. options.Taints] } : null,
        Status = Status(null),
    };

    private string ReadyStatus() => health.Problem is null ? "True" : "False";

    /// <summary>The runtime's images, largest first, at most 50 of them, as the kubelet reports them (nodeStatusMaxImages).</summary>
    private List<V1ContainerImage> Images()
    {
        const int MaxImages = 50;
        return [.. health.Images.OrderByDescending(i => i.SizeBytes).Take(MaxImages).Select(i => new V1ContainerImage { Names = [.. i.Names], SizeBytes = i.SizeBytes })];
    }

    /// <summary>The host's kernel release, as <c>uname -r</c> prints it.</summary>
    private static string KernelVersion() =>
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.Version.ToString();

    private Dictionary<string, string> Labels()
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kubernetes.io/hostname"] = options.NodeName,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = "amd64",
        };
        foreach (var (key, value) in options.Labels)
        {
            labels[key] = value;
        }
        return labels;
    }

    /// <summary>The status to report; a condition whose status <paramref name="previous"/> already holds keeps its transition time.</summary>
    private V1NodeStatus Status(IList<V1NodeCondition>? previous)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var resources = options.Allocatable.ToDictionary();
        V1NodeCondition Condition(string type, string status, string reason, string message) => new()
        {
            Type = type,
            Status = status,
            LastHeartbeatTime = now,
            LastTransitionTime = previous?.FirstOrDefault(c => c.Type == type && c.Status == status)?.LastTransitionTime ?? now,
            Reason = reason,
            Message = message,
        };
        var problem = health.Problem;
        return new V1NodeStatus
        {
            Capacity = resources,
            Allocatable = resources,
            Addresses =
            [
                new V1NodeAddress { Type = "InternalIP", Address = options.Address.ToString() },
                new V1NodeAddress { Type = "Hostname", Address = options.NodeName },
            ],
            Conditions =
            [
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                problem is null
                    ? Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")
                    : Condition("Ready", "False", "KubeletNotReady", problem),
            ],
            NodeInfo = new V1NodeSystemInfo
            {
                Architecture = "amd64",
                OperatingSystem = "linux",
                OsImage = "Berth node agent",
                KernelVersion = KernelVersion(),
                ContainerRuntimeVersion = runtime.Version,
                KubeletVersion = AgentVersion.Kubelet,
                KubeProxyVersion = "",
                MachineID = options.NodeName,
                SystemUUID = options.NodeName,
                BootID = "",
            },
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = options.Port } },
            Images = Images(),
        };
    }
}
