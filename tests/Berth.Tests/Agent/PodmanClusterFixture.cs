using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// A server and two <c>berth agent</c>s on the podman runtime, started as a user starts them, and a small busybox
/// image built locally with podman. Whatever a test leaves behind on the nodes is removed at the end.
/// </summary>
public sealed class PodmanClusterFixture : IAsyncLifetime
{
    public const string Image = "localhost/berth-test/busybox:1";
    public const string NextImage = "localhost/berth-test/busybox:2";
    /// <summary>
    /// The two nodes, named for this fixture alone: every fixture's agents share the machine's container storage and
    /// find their containers by node name, so two fixtures of the same names would take each other's for their own.
    /// </summary>
    public string[] Nodes { get; } = [.. new[] { "pm-a", "pm-b" }.Select(n => $"{n}-{Guid.NewGuid().ToString("N")[..6]}")];

    private readonly KubeServerFixture _server = new();
    private NodeAgents? _agents;

    internal Kubectl Kubectl => _server.Kubectl;

    internal Podman Podman { get; private set; } = null!;

    internal string AgentOutput => _agents!.Output;

    internal NodeAgents Agents => _agents!;

    internal Uri AwsAddress => _server.AwsAddress;

    internal string DataDirectory => _server.DataDirectory;

    /// <summary>Where the agents keep the Podman service they share.</summary>
    internal string PodmanDirectory => Path.Combine(_server.DataDirectory, "podman");

    public async ValueTask InitializeAsync()
    {
        await _server.InitializeAsync();
        Podman = await Podman.CreateAsync(_server.DataDirectory);
        await Podman.BuildBusyboxAsync(_server.DataDirectory, Image, NextImage);
        _agents = NodeAgents.Start(_server, "podman", Nodes);
        await _agents.WaitReadyAsync(Kubectl);
    }

    public async ValueTask DisposeAsync()
    {
        // the cluster's bridge and service rules are the machine's: gone with the fixture, as with its cluster's last node
        var (_, podCidr, _) = await Kubectl.RunAsync("get", "node", Nodes[0], "-o", "jsonpath={.spec.podCIDR}");
        try
        {
            await Kubectl.RunAsync("delete", "pods", "--all", "--grace-period=0", "--force", "--wait=false");
            if (_agents is not null)
            {
                await _agents.DisposeAsync();
                await _agents.TearDownAsync();
            }
            if (podCidr.Length > 0)
            {
                await Podman.RemoveNetworkAsync(podCidr);
            }
        }
        finally
        {
            Podman.StopService(PodmanDirectory);
            await _server.DisposeAsync();
        }
    }
}
