using Berth.Agent.Runtime;
using Berth.Tests.Kube;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Tests.Agent;

/// <summary>A node's Ready condition follows its container runtime, as the kubelet's does.</summary>
public sealed class RuntimeHealthTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private const string Node = "runtime-a";

    private Kubectl Kubectl => fixture.Kubectl;

    private Task<string> ConditionAsync(string type, string field) =>
        Kubectl.SucceedAsync("get", "node", Node, "-o", $$"""jsonpath={.status.conditions[?(@.type=="{{type}}")].{{field}}}""");

    [Fact]
    public async Task Node_IsNotReadyWhileItsRuntimeIsDown_AndReadyOnceItAnswersAgain()
    {
        // a Podman service of the test's own, which the agent is told of and so does not keep running itself
        var podman = Path.Combine(fixture.DataDirectory, "podman-" + Node);
        await PodmanService.EnsureAsync(podman, NullLogger.Instance, TestContext.Current.CancellationToken);
        await using var agents = new NodeAgents();
        agents.Add(fixture, "docker", Node, "--container-runtime-endpoint", PodmanService.Endpoint(podman).ToString());
        try
        {
            await agents.WaitReadyAsync(Kubectl);
            var pressureSince = await ConditionAsync("MemoryPressure", "lastTransitionTime");
            var pressureBeat = await ConditionAsync("MemoryPressure", "lastHeartbeatTime");

            Podman.StopService(podman);
            await Kubectl.SucceedAsync("wait", "--for=condition=Ready=false", "node/" + Node, "--timeout=90s");
            var down = $"{await ConditionAsync("Ready", "reason")}: {await ConditionAsync("Ready", "message")}";
            await PodmanService.EnsureAsync(podman, NullLogger.Instance, TestContext.Current.CancellationToken);
            await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "node/" + Node, "--timeout=60s");

            Assert.Equal("KubeletNotReady: container runtime is down", down);
            Assert.Equal("KubeletReady", await ConditionAsync("Ready", "reason"));
            Assert.NotEqual(pressureBeat, await ConditionAsync("MemoryPressure", "lastHeartbeatTime")); // written twice since
            Assert.Equal(pressureSince, await ConditionAsync("MemoryPressure", "lastTransitionTime")); // never changed status
        }
        finally
        {
            Podman.StopService(podman);
        }
    }
}
