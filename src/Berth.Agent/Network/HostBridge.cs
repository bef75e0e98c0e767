using Berth.Agent.Runtime;

namespace Berth.Agent.Network;

/// <summary>
/// The kernel settings of a pod bridge the service proxy relies on, set through <c>/sys</c> and <c>/proc</c> as the
/// CNI bridge plugin and kube-proxy set them. Hairpin mode on the bridge's ports lets a pod reach itself through its
/// Service's address (the packet leaves and re-enters the same port). <c>route_localnet</c> on the bridge lets
/// packets with loopback addresses cross it: the host's requests to load-balancer and node-port addresses (all on
/// 127/8) go out to pods, and pods' DNS queries are sent on to the cluster DNS listening on loopback.
/// <c>bridge-nf-call-iptables</c> makes bridged packets pass the host's nftables hooks, so a reply from a pod to a
/// pod of the same bridge is translated back.
/// </summary>
internal static class HostBridge
{
    private const string BridgeNetfilter = "/proc/sys/net/bridge/bridge-nf-call-iptables";

    /// <summary>
    /// Sets up <paramref name="bridge"/> once a sandbox joined it: the bridge is made with its first port and gone with
    /// its last, so this is done at every sandbox's start.
    /// </summary>
    public static void Prepare(string bridge)
    {
        EnableHairpin(bridge);
        Set(Path.Combine("/proc/sys/net/ipv4/conf", bridge, "route_localnet"));
    }

    /// <summary>Puts every port of <paramref name="bridge"/> in hairpin mode (a new pod's port is one more).</summary>
    private static void EnableHairpin(string bridge)
    {
        var ports = Path.Combine("/sys/class/net", bridge, "brif");
        if (!Directory.Exists(ports))
        {
            throw new RuntimeException($"the pod bridge {bridge} is not an interface of this host");
        }
        foreach (var port in Directory.EnumerateDirectories(ports))
        {
            Set(Path.Combine(port, "hairpin_mode"));
        }
    }

    /// <summary>
    /// Removes <paramref name="bridge"/> when no sandbox of any node is attached to it any more; true when it is gone
    /// (or never was). A sandbox attaching meanwhile makes it again.
    /// </summary>
    public static async Task<bool> RemoveIfUnusedAsync(string bridge, CancellationToken cancellationToken)
    {
        var ports = Path.Combine("/sys/class/net", bridge, "brif");
        if (!Directory.Exists(ports))
        {
            return true;
        }
        if (Directory.EnumerateFileSystemEntries(ports).Any())
        {
            return false;
        }
        var (exitCode, _, errors) = await HostCommand.ExecuteAsync("ip", ["link", "delete", bridge, "type", "bridge"], null, null, cancellationToken);
        if (exitCode != 0 && Directory.Exists(ports)) // a failure with the bridge gone is another node's tear-down removing it first
        {
            throw new RuntimeException($"could not remove the pod bridge {bridge}: {errors.Trim()}");
        }
        return true;
    }

    /// <summary>Makes bridged packets pass the nftables hooks, loading <c>br_netfilter</c> when the setting is missing.</summary>
    public static async Task EnableBridgeNetfilterAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(BridgeNetfilter))
        {
            await HostCommand.RunAsync("modprobe", ["br_netfilter"], null, cancellationToken);
        }
        Set(BridgeNetfilter);
    }

    private static void Set(string path)
    {
        try
        {
            if (File.ReadAllText(path).Trim() != "1")
            {
                File.WriteAllText(path, "1");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RuntimeException($"could not set {path} to 1 (the agent needs root for the pod network): {e.Message}");
        }
    }
}
