using System.Diagnostics;
using System.Globalization;
using Berth.Tests.Agent;

namespace Berth.Tests.Cli;

/// <summary>
/// <c>berth up</c> on a clean data folder, as the README's main command: a server in the background, a demo cluster whose
/// two nodes are Ready, and next steps that work when pasted; <c>berth status</c>; <c>berth down</c> stopping it all.
/// </summary>
public sealed class UpDownTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _home = new();

    public void Dispose()
    {
        _home.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task Up_OnACleanDataFolder_EndsWithTwoReadyNodesAndNextStepsThatWork_AndDownStopsEverything()
    {
        var cli = new ClusterCli(_data.Path, _home.Path);
        var port = ClusterCli.FreePort().ToString(CultureInfo.InvariantCulture);
        var kubePort = ClusterCli.FreePort().ToString(CultureInfo.InvariantCulture);
        // the pasted steps call berth by name, as a user's shell finds it on the PATH
        var bin = Directory.CreateDirectory(_home.File("bin")).FullName;
        await File.WriteAllTextAsync(Path.Combine(bin, "berth"),
            $"#!/bin/sh\nexec \"{Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet"}\" \"{Path.Combine(AppContext.BaseDirectory, "berth.dll")}\" \"$@\"\n",
            TestContext.Current.CancellationToken);
        File.SetUnixFileMode(Path.Combine(bin, "berth"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var (exitCode, output, error) = await cli.RunAsync("up", "--port", port, "--kube-port", kubePort);
            Assert.True(exitCode == 0, $"{output}\n{error}\nserver log:\n{ServerLog()}");
            Assert.Contains($"AWS endpoint     http://127.0.0.1:{port}", output, StringComparison.Ordinal);
            Assert.Contains($"Kubernetes API   https://127.0.0.1:{kubePort}/clusters/demo", output, StringComparison.Ordinal);
            Assert.Matches(@"AWS_ACCESS_KEY_ID=AKIA[A-Z0-9]{16}", output);
            Assert.Contains("[✔]  node group \"ng-1\" has 2 nodes Ready", error, StringComparison.Ordinal);
            Assert.Contains("[berth]", await File.ReadAllTextAsync(cli.Environment["AWS_SHARED_CREDENTIALS_FILE"], TestContext.Current.CancellationToken),
                StringComparison.Ordinal);

            var steps = output[(output.IndexOf("Next steps:", StringComparison.Ordinal) + "Next steps:".Length)..]
                .Split('\n').TakeWhile(l => l.Trim().Length > 0 || l == "").Select(l => l.Trim()).Where(l => l.Length > 0).Take(3).ToList();
            Assert.Equal(3, steps.Count);
            foreach (var step in steps)
            {
                var (stepExit, stepOutput) = await ShellAsync(step, cli, bin);
                Assert.True(stepExit == 0, $"{step}\n{stepOutput}");
            }
            // the first thing an EKS user deploys: a web server behind a LoadBalancer, then its page opened (berth down stops its containers)
            await (await Podman.CreateAsync(_home.Path)).BuildBusyboxAsync(_home.Path, "localhost/berth-test/busybox:1");
            await cli.Kubectl().SucceedAsync("apply", "-f", await cli.Kubectl().WriteManifestAsync("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: localhost/berth-test/busybox:1
                        imagePullPolicy: Never
                        command: ["sh", "-c", "mkdir -p /www && echo '<h1>Welcome to Berth</h1>' > /www/index.html && exec httpd -f -p 80 -h /www"]
                        ports: [{containerPort: 80}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  type: LoadBalancer
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 80}]
                """));
            await cli.Kubectl().SucceedAsync("rollout", "status", "deploy/web", "--timeout=120s");
            string external = "";
            for (var round = 0; round < 60 && external.Length == 0; round++)
            {
                await Task.Delay(500, TestContext.Current.CancellationToken);
                external = await cli.Kubectl().SucceedAsync("get", "svc", "web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}");
            }
            (int ExitCode, string Body) page = (0, "");
            for (var round = 0; round < 60 && !page.Body.Contains("Welcome to Berth", StringComparison.Ordinal); round++)
            {
                await Task.Delay(500, TestContext.Current.CancellationToken);
                page = await Networking.Curl.GetAsync($"http://{external}/");
            }
            Assert.Contains("<h1>Welcome to Berth</h1>", page.Body, StringComparison.Ordinal);
            var podCidr = await cli.Kubectl().SucceedAsync("get", "nodes", "-o", "jsonpath={.items[0].spec.podCIDR}");
            Assert.Equal(3, (await cli.Kubectl().SucceedAsync("get", "nodes", "--no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Count(l => l.Contains(" Ready ", StringComparison.Ordinal)));

            // up again finds it all in place
            var again = await cli.SucceedAsync("up", "--port", port, "--kube-port", kubePort);
            Assert.Contains("cluster \"demo\" exists already", again, StringComparison.Ordinal);
            Assert.Contains("node group ng-1   ACTIVE   3/3 nodes Ready", await cli.SucceedAsync("status", "--port", port), StringComparison.Ordinal);

            var nodes = (await cli.Kubectl().SucceedAsync("get", "nodes", "-o", "name")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(n => n["node/".Length..]).ToList();
            Assert.Contains("Stopped berth server.", await cli.SucceedAsync("down"), StringComparison.Ordinal);
            Assert.Contains("Berth is not running", await cli.SucceedAsync("status", "--port", port), StringComparison.Ordinal);
            Assert.Empty(BerthProcesses());
            var podman = await Podman.CreateAsync(_home.Path);
            foreach (var node in nodes)
            {
                Assert.Equal("", await podman.SucceedAsync("ps", "--filter", $"label=io.berth.node={node}", "--filter", "status=running", "--format", "{{.Names}}"));
            }
            // the cluster's service rules went with its last agent
            var table = Berth.Agent.Services.NftablesRules.TableName(Berth.Agent.Network.PodNetwork.SpecFor(podCidr).Bridge);
            Assert.DoesNotContain($"table ip {table}\n", await Berth.Agent.Network.HostCommand.RunAsync("nft", ["list", "tables"], null, TestContext.Current.CancellationToken) + "\n", StringComparison.Ordinal);

            // berth down keeps the stopped containers and the sandboxes for the next berth up; this test's data folder goes, so they go too
            foreach (var node in nodes)
            {
                await NodeAgents.TearDownAsync(_data.Path, "podman", node);
            }
            await Podman.RemoveNetworkAsync(podCidr);
        }
        finally
        {
            await cli.RunAsync("down");
        }
    }

    private string ServerLog() => File.Exists(_data.File("server.log")) ? File.ReadAllText(_data.File("server.log")) : "(none)";

    /// <summary>Runs a pasted line through the shell, with the test's home for the AWS CLI and kubectl and berth on the PATH.</summary>
    private static async Task<(int ExitCode, string Output)> ShellAsync(string line, ClusterCli cli, string bin)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "-c", line } };
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL" })
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in cli.Environment)
        {
            start.Environment[name] = value;
        }
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>Server, agent and Podman service processes of this test's data folder.</summary>
    private List<int> BerthProcesses() =>
        [.. Process.GetProcesses().Where(p => File.Exists($"/proc/{p.Id}/cmdline")
            && File.ReadAllText($"/proc/{p.Id}/cmdline").Replace('\0', ' ') is var commandLine
            && commandLine.Contains(_data.Path, StringComparison.Ordinal) && !commandLine.Contains(" down", StringComparison.Ordinal)).Select(p => p.Id)];
}
