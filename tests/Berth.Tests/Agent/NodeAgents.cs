using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary><c>berth agent</c> processes, joined to a test's server as a user starts them.</summary>
internal sealed class NodeAgents : IAsyncDisposable
{
    private readonly Dictionary<string, BerthProcess> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<BerthProcess>> _starts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<Task>> _tearDowns = new(StringComparer.Ordinal);

    /// <summary>The third octet of the next agents' addresses: node ports answer on them, machine-wide, so each set of agents has its own.</summary>
    private static int s_subnets;

    private readonly int _subnet = 1 + (Interlocked.Increment(ref s_subnets) % 250);

    /// <summary>
    /// Starts one agent per node name with the given runtime (<c>simulated</c> or <c>podman</c>), its data (and its
    /// Podman service) in the server's data folder; the n-th node is at 127.0.s.n (s this set's own) in zone
    /// <c>zone-</c> and the last letter of its name.
    /// </summary>
    public static NodeAgents Start(KubeServerFixture fixture, string runtime, params string[] names)
    {
        var agents = new NodeAgents();
        foreach (var name in names)
        {
            agents.Add(fixture, runtime, name);
        }
        return agents;
    }

    /// <summary>Starts one more agent, as a node that joins later, at the next address, with any further arguments given.</summary>
    public void Add(KubeServerFixture fixture, string runtime, string name, params string[] more)
    {
        _addresses[name] = $"127.0.{_subnet}.{_agents.Count + 1}";
        string[] arguments = ["agent", "--runtime", runtime, "--node-name", name, "--address", _addresses[name], "--port", "0",
            "--kubeconfig", fixture.KubeconfigPath, "--cpu", "1", "--memory", "2Gi", "--label", "topology.kubernetes.io/zone=zone-" + name[^1], .. more];
        _starts[name] = () => BerthProcess.Start(arguments, new Dictionary<string, string> { ["BERTH_DATA_DIR"] = fixture.DataDirectory });
        _agents[name] = _starts[name]();
        _tearDowns[name] = () => TearDownAsync(fixture.DataDirectory, runtime, name);
    }

    /// <summary>
    /// Runs <c>berth agent --tear-down</c> for a node of the data folder, as the end of its machine does: the containers
    /// and sandboxes its pods left go, and the cluster's bridge with its last node.
    /// </summary>
    public static async Task TearDownAsync(string dataDirectory, string runtime, string name)
    {
        await using var tearDown = BerthProcess.Start(["agent", "--runtime", runtime, "--node-name", name, "--tear-down"],
            new Dictionary<string, string> { ["BERTH_DATA_DIR"] = dataDirectory });
        Assert.True(await tearDown.WaitForExitAsync() == 0, tearDown.Output);
    }

    /// <summary>Stops every agent, then tears every node down.</summary>
    public async Task TearDownAsync()
    {
        await DisposeAsync();
        foreach (var tearDown in _tearDowns.Values)
        {
            await tearDown();
        }
    }

    /// <summary>The address a node's agent was started with, its InternalIP.</summary>
    public string Address(string name) => _addresses[name];

    public string Output => string.Concat(_agents.Values.Select(a => a.Output));

    /// <summary>Waits until every node has registered, holds its lease, and is Ready.</summary>
    public async Task WaitReadyAsync(Kubectl kubectl)
    {
        var nodes = _agents.Keys.Select(n => "node/" + n).ToArray();
        string[] registered = ["get", "-n", "kube-node-lease", .. nodes, .. _agents.Keys.Select(n => "lease/" + n)];
        for (var round = 0; round < 300 && (await kubectl.RunAsync(registered)).ExitCode != 0; round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken); // the agents register, then take their leases
        }
        await kubectl.SucceedAsync(["wait", "--for=condition=Ready", .. nodes, "--timeout=30s"]);
    }

    /// <summary>Kills one agent outright, as a machine that is lost.</summary>
    public Task KillAsync(string name) => _agents[name].KillAsync();

    /// <summary>Kills one agent outright and starts it again with the same settings, as a machine's agent restarted.</summary>
    public async Task RestartAsync(string name)
    {
        await _agents[name].KillAsync();
        await _agents[name].DisposeAsync();
        _agents[name] = _starts[name]();
    }

    /// <summary>Stops every agent; once, however often it is called.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents.Values)
        {
            await agent.DisposeAsync();
        }
        _agents.Clear();
    }
}
