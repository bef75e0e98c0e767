using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Berth.Tests.Kube;

/// <summary>The official client libraries against <c>berth server</c>: the C# KubernetesClient, and Debian's python3-kubernetes.</summary>
public sealed class ClientLibraryTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KubernetesClient_CreatesListsAndWatches()
    {
        using var kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.KubeconfigPath));
        await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "from-csharp" } }, cancellationToken: Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(30));
        var events = new List<(WatchEventType, string)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in kube.CoreV1.WatchListNamespacedConfigMapAsync("from-csharp", labelSelector: "client=csharp", cancellationToken: stop.Token))
            {
                events.Add((type, item.Metadata.Name));
                if (type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        }, Ct);

        var created = await kube.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "settings", Labels = new Dictionary<string, string> { ["client"] = "csharp" } },
            Data = new Dictionary<string, string> { ["answer"] = "42" },
        }, "from-csharp", cancellationToken: Ct);
        var listed = await kube.CoreV1.ListNamespacedConfigMapAsync("from-csharp", labelSelector: "client=csharp", cancellationToken: Ct);
        var deployment = await kube.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx:1.27" }] },
                },
            },
        }, "from-csharp", cancellationToken: Ct);
        await kube.CoreV1.DeleteNamespacedConfigMapAsync("settings", "from-csharp", cancellationToken: Ct);
        await watching;

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.Equal(["settings"], listed.Items.Select(i => i.Metadata.Name));
        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.Equal([(WatchEventType.Added, "settings"), (WatchEventType.Deleted, "settings")], events);
    }

    [Fact]
    public async Task Python_CreatesListsWatchesAndDeletes()
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kube", "Clients", "python_session.py"));
        start.ArgumentList.Add(fixture.KubeconfigPath);
        start.ArgumentList.Add("from-python");
        using var python = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started; setup.sh installs it");
        var output = python.StandardOutput.ReadToEndAsync(Ct);
        var error = python.StandardError.ReadToEndAsync(Ct);
        await python.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.True(python.ExitCode == 0, $"python exited {python.ExitCode}: {await error}");
        var seen = JsonNode.Parse(await output)!;
        Assert.Contains("from-python", seen["namespaces"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("from-python", seen["created"]!.GetValue<string>());
        Assert.Equal("""["from-python"]""", seen["listed"]!.ToJsonString());
        Assert.Equal("""[["ADDED","from-python"],["DELETED","from-python"]]""", seen["events"]!.ToJsonString());
        Assert.Equal(404, seen["after"]!.GetValue<int>());
    }
}
