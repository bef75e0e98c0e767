using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>A server that reads metrics and reconciles autoscalers every second, so tests wait seconds, not minutes.</summary>
public sealed class FastAutoscalingServerFixture : KubeServerFixture
{
    protected override IReadOnlyList<string> ServerArguments => ["--metric-resolution", "1s", "--horizontal-pod-autoscaler-sync-period", "1s"];
}

/// <summary>
/// Resource metrics and autoscaling on a simulated node, driven with the stock kubectl: <c>kubectl top node</c> and
/// <c>kubectl top pod</c> show the usage the simulated containers report, and an autoscaler made with <c>kubectl
/// autoscale</c> scales a Deployment whose CPU is above its target up to its maximum, saying why.
/// </summary>
public sealed class AutoscalingTests(FastAutoscalingServerFixture fixture) : IClassFixture<FastAutoscalingServerFixture>, IAsyncLifetime
{
    private NodeAgents? _agents;

    private Kubectl Kubectl => fixture.Kubectl;

    public ValueTask InitializeAsync()
    {
        _agents = NodeAgents.Start(fixture, "simulated", "hpa-a");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _agents!.DisposeAsync();

    [Fact]
    public async Task KubectlTop_ShowsUsage_AndAnAutoscalerScalesUpABusyDeployment()
    {
        await _agents!.WaitReadyAsync(Kubectl);
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: busy, namespace: default}
            spec:
              replicas: 1
              selector: {matchLabels: {app: busy}}
              template:
                metadata: {labels: {app: busy}}
                spec:
                  containers:
                  - name: app
                    image: "busybox:1.0"
                    resources: {requests: {cpu: 100m, memory: 64Mi}}
                    env:
                    - {name: BERTH_SIMULATED_CPU, value: 250m}
                    - {name: BERTH_SIMULATED_MEMORY, value: 50Mi}
            """));
        await Kubectl.SucceedAsync("rollout", "status", "deploy/busy", "--timeout=60s");

        var pods = await UntilSucceedsAsync("top", "pod", "-l", "app=busy");
        Assert.Matches(@"busy-\S+\s+250m\s+50Mi", pods);
        Assert.Matches(@"default\s+busy-\S+\s+app\s+250m\s+50Mi", await Kubectl.SucceedAsync("top", "pod", "-A", "--containers", "-l", "app=busy"));
        Assert.Matches(@"hpa-a\s+250m\s+25%\s+50Mi\s+2%", await UntilSucceedsAsync("top", "node"));

        Assert.Contains("autoscaled", await Kubectl.SucceedAsync("autoscale", "deploy", "busy", "--cpu-percent=50", "--min=1", "--max=3"), StringComparison.Ordinal);
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.spec.replicas}=3", "deploy/busy", "--timeout=120s");
        var table = "";
        for (var round = 0; round < 120 && !table.Contains("cpu: 250%/50%", StringComparison.Ordinal); round++)
        {
            await Task.Delay(500, TestContext.Current.CancellationToken); // the status follows each sync
            table = await Kubectl.SucceedAsync("get", "hpa", "busy");
        }
        Assert.Matches(@"NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE", table);
        Assert.Matches(@"busy\s+Deployment/busy\s+cpu: 250%/50%\s+1\s+3\s+\d+", table);

        var events = await Kubectl.SucceedAsync("get", "events", "--field-selector", "reason=SuccessfulRescale,involvedObject.name=busy", "-o", "jsonpath={.items[*].message}");
        Assert.Contains("reason: cpu resource utilization (percentage of request) above target", events, StringComparison.Ordinal);
        var conditions = await Kubectl.SucceedAsync("get", "hpa.v2.autoscaling", "busy", "-o",
            "jsonpath={range .status.conditions[*]}{.type}={.status}/{.reason} {end}");
        Assert.Contains("ScalingActive=True/ValidMetricFound", conditions, StringComparison.Ordinal);
        Assert.Contains("ScalingLimited=True/TooManyReplicas", conditions, StringComparison.Ordinal);
    }

    /// <summary>Runs kubectl until it succeeds: metrics appear once the scraper has read the node, after the first ask.</summary>
    private async Task<string> UntilSucceedsAsync(params string[] arguments)
    {
        for (var round = 0; round < 120; round++)
        {
            var (exitCode, output, _) = await Kubectl.RunAsync(arguments);
            if (exitCode == 0)
            {
                return output;
            }
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
        return await Kubectl.SucceedAsync(arguments);
    }
}
