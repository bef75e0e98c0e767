using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary><c>berth agent</c> processes with the simulated runtime, joined to a test's server as a user starts them.</summary>
internal sealed class SimulatedAgents : IAsyncDisposable
{
    private readonly Dictionary<string, BerthProcess> _agents = new(StringComparer.Ordinal);

    /// <summary>Starts one agent per node name; the node named <c>sim-x</c> is at 127.0.1.(n+1) in zone <c>zone-x</c>.</summary>
    public static SimulatedAgents Start(KubeServerFixture fixture, params string[] names)
    {
        var agents = new SimulatedAgents();
        for (var i = 0; i < names.Length; i++)
        {
            agents._agents[names[i]] = BerthProcess.Start(["agent", "--node-name", names[i], "--address", $"127.0.1.{i + 1}",
                "--kubeconfig", fixture.KubeconfigPath, "--cpu", "1", "--memory", "2Gi", "--label", "topology.kubernetes.io/zone=zone-" + names[i][^1]]);
        }
        return agents;
    }

    public string Output => string.Concat(_agents.Values.Select(a => a.Output));

    /// <summary>Waits until every node has registered and is Ready.</summary>
    public async Task WaitReadyAsync(Kubectl kubectl)
    {
        var nodes = _agents.Keys.Select(n => "node/" + n).ToArray();
        for (var round = 0; round < 300 && (await kubectl.RunAsync(["get", .. nodes])).ExitCode != 0; round++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken); // the agents register as they start
        }
        await kubectl.SucceedAsync(["wait", "--for=condition=Ready", .. nodes, "--timeout=30s"]);
    }

    /// <summary>Kills one agent outright, as a machine that is lost.</summary>
    public Task KillAsync(string name) => _agents[name].KillAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents.Values)
        {
            await agent.DisposeAsync();
        }
    }
}
