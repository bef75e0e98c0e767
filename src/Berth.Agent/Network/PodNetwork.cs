using System.Globalization;
using System.Net;
using Berth.Agent.Runtime;

namespace Berth.Agent.Network;

/// <summary>
/// The node's part of the pod network, host-local IPAM's: the cluster's pods on this machine share one bridge (named
/// after the cluster's /16 of the pod CIDR, its gateway the /16's first address, so the pods of every node of the
/// cluster reach each other directly, without NAT), and each sandbox gets an address of the node's own /24
/// (<c>spec.podCIDR</c>), the lowest free first. Addresses in use are read from the runtime's sandboxes, so a restarted
/// agent never hands out one a running pod holds. The runtime attaches the sandbox (the CNI bridge plugin on Podman).
/// </summary>
internal sealed class PodNetwork(IContainerRuntime runtime, AgentOptions options) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, string> _reserved = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<(PodNetworkSpec Spec, IPNetwork Range)> _configured = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsConfigured => _configured.Task.IsCompleted;

    /// <summary>The cluster's bridge for a node's pod CIDR: the /24's /16, named <c>berth-pods-a-b</c>, its interface <c>berth-a-b</c>.</summary>
    public static PodNetworkSpec SpecFor(string nodeCidr)
    {
        var octets = IPNetwork.Parse(nodeCidr).BaseAddress.GetAddressBytes();
        var (a, b) = (octets[0].ToString(CultureInfo.InvariantCulture), octets[1].ToString(CultureInfo.InvariantCulture));
        return new PodNetworkSpec($"berth-pods-{a}-{b}", $"{a}.{b}.0.0/16", $"{a}.{b}.0.1", $"berth-{a}-{b}");
    }

    /// <summary>Whether <paramref name="network"/> is named as a cluster's pod network.</summary>
    public static bool IsPodNetwork(string network) => network.StartsWith("berth-pods-", StringComparison.Ordinal);

    /// <summary>The pod network the node joined, as recorded in its directory when configured; null when none was.</summary>
    public static string? Joined(AgentOptions options) => File.Exists(RecordPath(options)) ? File.ReadAllText(RecordPath(options)).Trim() : null;

    private static string RecordPath(AgentOptions options) => Path.Combine(options.RootDirectory, "pod-network");

    /// <summary>The bridge interface of the pod network named <paramref name="network"/> (<c>berth-pods-a-b</c> → <c>berth-a-b</c>).</summary>
    public static string BridgeOf(string network) => "berth-" + network["berth-pods-".Length..];

    /// <summary>Takes the node's range and has the runtime ready the bridge; pods wait for this before their sandboxes.</summary>
    public async Task ConfigureAsync(string nodeCidr, CancellationToken cancellationToken)
    {
        var range = IPNetwork.Parse(nodeCidr);
        if (range.PrefixLength != 24)
        {
            throw new RuntimeException($"the node's pod CIDR {nodeCidr} is not a /24");
        }
        var spec = SpecFor(nodeCidr);
        await runtime.EnsureNetworkAsync(spec, cancellationToken);
        Directory.CreateDirectory(options.RootDirectory);
        await File.WriteAllTextAsync(RecordPath(options), spec.Name, cancellationToken);
        _configured.TrySetResult((spec, range));
    }

    /// <summary>An address of the node's range for the pod's next sandbox, held until <see cref="Release"/>.</summary>
    public async Task<PodNetworkAttachment> ReserveAsync(string podUid, CancellationToken cancellationToken)
    {
        var (spec, range) = await _configured.Task.WaitAsync(cancellationToken);
        // made again if it went (removed by hand, or by a tear-down while it had no pod), as the CNI bridge plugin does
        await runtime.EnsureNetworkAsync(spec, cancellationToken);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var used = (await runtime.ListSandboxesAsync(null, cancellationToken)).Select(s => s.Ip).OfType<string>()
                .Concat(_reserved.Values).ToHashSet(StringComparer.Ordinal);
            var octets = range.BaseAddress.GetAddressBytes();
            for (var host = 1; host < 255; host++)
            {
                octets[3] = (byte)host;
                var ip = new IPAddress(octets).ToString();
                if (!used.Contains(ip))
                {
                    _reserved[podUid] = ip;
                    return new PodNetworkAttachment(spec, ip);
                }
            }
            throw new RuntimeException($"every address of the node's pod CIDR {range} is a pod's");
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The sandbox holds its address now (or was never made): the reservation goes.</summary>
    public void Release(string podUid)
    {
        _lock.Wait();
        try
        {
            _reserved.Remove(podUid);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
