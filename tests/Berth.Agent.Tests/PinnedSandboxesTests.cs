using Berth.Agent.Network;
using Berth.Agent.Runtime;

namespace Berth.Agent.Tests;

/// <summary>
/// Sandboxes as namespaces the agent pins, on this machine's kernel with the stock CNI plugins: what is pinned, what
/// the pod sees inside, and what is left after a stop, a removal, a failed set-up and a reboot (the pins gone).
/// </summary>
public sealed class PinnedSandboxesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-pinned-").FullName;
    private readonly PodNetworkSpec _network;
    private readonly PinnedSandboxes _sandboxes;

    public PinnedSandboxesTests()
    {
        // a bridge and a /24 of this test's own, out of the clusters' 10.128.0.0/10
        var b = Random.Shared.Next(0, 250);
        _network = new PodNetworkSpec($"berth-pods-test-{b}", $"10.251.{b}.0/24", $"10.251.{b}.1", $"berth-t{b}-{Random.Shared.Next(1000, 9999)}");
        _sandboxes = new PinnedSandboxes(new AgentOptions { NodeName = "n", KubeconfigPath = "", RootDirectory = _root });
    }

    private SandboxConfig Config(string ip = "") => new("uid-1", "shop", "web-0", 0, "web-0",
        new PodNetworkAttachment(_network, ip.Length > 0 ? ip : _network.Gateway[..^1] + "7"), new PodDnsSettings(["10.100.0.10"], ["shop.svc.cluster.local"], ["ndots:5"]));

    [Fact]
    public async Task ASandbox_IsItsPinnedNamespaces_OnThePodNetwork_UntilStopped_AndGoneWhenRemoved()
    {
        var cancel = TestContext.Current.CancellationToken;
        var sandbox = await _sandboxes.RunAsync(Config(), cancel);
        Assert.True(sandbox.Running);
        Assert.Equal(_network.Gateway[..^1] + "7", sandbox.Ip);
        var join = _sandboxes.Join(sandbox.Id);
        var net = join.NetworkMode["ns:".Length..];
        Assert.Equal("web-0", (await HostCommand.RunAsync("nsenter", ["--uts=" + join.UtsMode["ns:".Length..], "hostname"], null, cancel)).Trim());
        Assert.Contains($"inet {sandbox.Ip}/24", await HostCommand.RunAsync("nsenter", ["--net=" + net, "ip", "-4", "-o", "addr", "show", "eth0"], null, cancel), StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", await HostCommand.RunAsync("nsenter", ["--net=" + net, "ip", "-4", "-o", "addr", "show", "lo"], null, cancel), StringComparison.Ordinal);
        var hosts = File.ReadAllText(join.Binds.Single(b => b.EndsWith(":/etc/hosts:rw", StringComparison.Ordinal)).Split(':')[0]);
        Assert.Contains($"{sandbox.Ip}\tweb-0\n", hosts, StringComparison.Ordinal);
        Assert.Equal("search shop.svc.cluster.local\nnameserver 10.100.0.10\noptions ndots:5\n",
            File.ReadAllText(join.Binds.Single(b => b.EndsWith(":/etc/resolv.conf:rw", StringComparison.Ordinal)).Split(':')[0]));

        await _sandboxes.StopAsync(sandbox.Id, cancel);
        var stopped = Assert.Single(_sandboxes.List("uid-1"));
        Assert.False(stopped.Running);
        Assert.Null(stopped.Ip);
        Assert.False(File.Exists(net));
        await _sandboxes.StopAsync(sandbox.Id, cancel); // again: nothing to do

        await _sandboxes.RemoveAsync(sandbox.Id, cancel);
        Assert.Empty(_sandboxes.List(null));
    }

    [Fact]
    public async Task ASandboxWhosePinsAreGone_AsAfterAReboot_IsNotRunning_AndIsRemovedAsAnyOther()
    {
        var cancel = TestContext.Current.CancellationToken;
        var sandbox = await _sandboxes.RunAsync(Config(), cancel);
        var pins = Path.GetDirectoryName(_sandboxes.Join(sandbox.Id).IpcMode["ns:".Length..])!;
        await HostCommand.RunAsync("umount", ["--lazy", Path.Combine(pins, "net"), Path.Combine(pins, "ipc"), Path.Combine(pins, "uts")], null, cancel);

        Assert.False(Assert.Single(_sandboxes.List("uid-1")).Running);
        await _sandboxes.RemoveAsync(sandbox.Id, cancel);
        Assert.Empty(_sandboxes.List(null));
        Assert.False(Directory.Exists(pins));
    }

    [Fact]
    public async Task ANetworkThePluginRefuses_FailsWithItsMessage_AndLeavesNothing()
    {
        var cancel = TestContext.Current.CancellationToken;
        var failure = await Assert.ThrowsAsync<RuntimeException>(() => _sandboxes.RunAsync(Config(ip: "10.251.300.7"), cancel));
        Assert.Contains("plugin type=\"bridge\" failed (ADD)", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_sandboxes.List(null));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root, "sandboxes")));
    }

    public void Dispose()
    {
        foreach (var sandbox in _sandboxes.List(null))
        {
            _sandboxes.RemoveAsync(sandbox.Id, CancellationToken.None).GetAwaiter().GetResult();
        }
        // a namespace whose pins were dropped by hand goes, with its end of the veth pair, when the kernel gets to it
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!HostBridge.RemoveIfUnusedAsync(_network.Bridge, CancellationToken.None).GetAwaiter().GetResult() && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }
        Directory.Delete(_root, recursive: true);
    }
}
