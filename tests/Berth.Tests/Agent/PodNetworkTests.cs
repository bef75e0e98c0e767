using System.Net;
using System.Text.Json;
using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// The pod network through two podman agents: every Node gets a /24 of its cluster's pod CIDR, every pod an address
/// of its node's /24 on the cluster's bridge, and pods on different nodes reach each other directly by those addresses.
/// </summary>
public sealed class PodNetworkTests(PodmanClusterFixture cluster) : IClassFixture<PodmanClusterFixture>
{
    private Kubectl Kubectl => cluster.Kubectl;

    [Fact]
    public async Task PodsOnEitherNode_TakeAddressesOfTheirNodesRange_AndReachEachOtherDirectly()
    {
        var nodes = JsonDocument.Parse(await Kubectl.SucceedAsync("get", "nodes", "-o", "json")).RootElement.GetProperty("items").EnumerateArray()
            .ToDictionary(n => n.GetProperty("metadata").GetProperty("name").GetString()!, n => (
                Cidr: IPNetwork.Parse(n.GetProperty("spec").GetProperty("podCIDR").GetString()!),
                Address: n.GetProperty("status").GetProperty("addresses").EnumerateArray().First(a => a.GetProperty("type").GetString() == "InternalIP").GetProperty("address").GetString()));
        Assert.Equal(cluster.Nodes, nodes.Keys.Order());
        // /24s of one /16 of the pod pool: the cluster's (which /16 depends on what else runs on the machine)
        Assert.All(nodes.Values, n => Assert.True(n.Cidr.PrefixLength == 24 && IPNetwork.Parse("10.128.0.0/10").Contains(n.Cidr.BaseAddress), n.Cidr.ToString()));
        Assert.Single(nodes.Values.Select(n => n.Cidr.BaseAddress.GetAddressBytes()[1]).Distinct());
        Assert.Equal(2, nodes.Values.Select(n => n.Cidr).Distinct().Count());

        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: peers}
            spec:
              replicas: 2
              selector: {matchLabels: {app: peers}}
              template:
                metadata: {labels: {app: peers}}
                spec:
                  terminationGracePeriodSeconds: 1
                  affinity:
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - {labelSelector: {matchLabels: {app: peers}}, topologyKey: kubernetes.io/hostname}
                  containers:
                  - name: httpd
                    image: $IMAGE
                    command: ["sh", "-c", "mkdir -p /www && echo $(POD_NAME) > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
            """.Replace("$IMAGE", PodmanClusterFixture.Image, StringComparison.Ordinal)));
        try
        {
            await Kubectl.SucceedAsync("rollout", "status", "deploy/peers", "--timeout=120s");
            var pods = JsonDocument.Parse(await Kubectl.SucceedAsync("get", "pods", "-l", "app=peers", "-o", "json")).RootElement.GetProperty("items").EnumerateArray()
                .Select(p => (Name: p.GetProperty("metadata").GetProperty("name").GetString()!, Node: p.GetProperty("spec").GetProperty("nodeName").GetString()!,
                    Ip: p.GetProperty("status").GetProperty("podIP").GetString()!, HostIp: p.GetProperty("status").GetProperty("hostIP").GetString()!))
                .ToList();
            Assert.Equal(2, pods.Count);
            foreach (var pod in pods)
            {
                Assert.True(nodes[pod.Node].Cidr.Contains(IPAddress.Parse(pod.Ip)), $"{pod.Ip} is not in {pod.Node}'s {nodes[pod.Node].Cidr}");
                Assert.Equal(nodes[pod.Node].Address, pod.HostIp);
            }
            // each pod reaches the other, on the other node, at its own address
            foreach (var (from, to) in new[] { (pods[0], pods[1]), (pods[1], pods[0]) })
            {
                Assert.Equal(to.Name, (await Kubectl.SucceedAsync("exec", from.Name, "--", "wget", "-qO-", $"http://{to.Ip}:8080/")).Trim());
            }
        }
        finally
        {
            await Kubectl.SucceedAsync("delete", "deploy/peers", "--wait=true");
        }
    }

    [Fact]
    public async Task ServiceEndpoints_ListReadyPodsOnly_WithNamedTargetPortsResolved()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: backends}
            spec:
              replicas: 2
              selector: {matchLabels: {app: backends}}
              template:
                metadata: {labels: {app: backends}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: httpd
                    image: $IMAGE
                    command: ["sh", "-c", "mkdir -p /tmp /www && touch /tmp/ready && exec httpd -f -p 8080 -h /www"]
                    ports: [{name: web, containerPort: 8080}]
                    readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: backends}
            spec:
              selector: {app: backends}
              ports: [{name: http, port: 80, targetPort: web}]
            """.Replace("$IMAGE", PodmanClusterFixture.Image, StringComparison.Ordinal)));
        try
        {
            await Kubectl.SucceedAsync("rollout", "status", "deploy/backends", "--timeout=120s");
            var pods = (await Kubectl.SucceedAsync("get", "pods", "-l", "app=backends", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.podIP}{\"\\n\"}{end}"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
            var all = string.Join(",", pods.Select(p => p[1] + ":8080").Order(StringComparer.Ordinal));
            await UntilAsync(async () => Addresses(await Kubectl.SucceedAsync("get", "endpoints", "backends", "-o", "jsonpath={.subsets[*].addresses[*].ip}")) == all.Replace(":8080", "", StringComparison.Ordinal));
            Assert.Equal("http 8080 TCP", await Kubectl.SucceedAsync("get", "endpointslices", "-l", "kubernetes.io/service-name=backends", "-o",
                "jsonpath={.items[0].ports[0].name} {.items[0].ports[0].port} {.items[0].ports[0].protocol}"));

            // a pod failing readiness is no longer ready in either: the Endpoints list it as not ready
            await Kubectl.SucceedAsync("exec", pods[0][0], "--", "rm", "/tmp/ready");
            await UntilAsync(async () => await Kubectl.SucceedAsync("get", "endpoints", "backends", "-o", "jsonpath={.subsets[*].notReadyAddresses[*].ip}") == pods[0][1]
                && await Kubectl.SucceedAsync("get", "endpoints", "backends", "-o", "jsonpath={.subsets[*].addresses[*].ip}") == pods[1][1]);
            Assert.Contains($"{pods[0][1]} false", await Kubectl.SucceedAsync("get", "endpointslices", "-l", "kubernetes.io/service-name=backends", "-o",
                "jsonpath={range .items[0].endpoints[*]}{.addresses[0]} {.conditions.ready}{\"\\n\"}{end}"), StringComparison.Ordinal);
        }
        finally
        {
            await Kubectl.SucceedAsync("delete", "deploy/backends", "service/backends", "--wait=true");
        }
    }

    private static string Addresses(string text) => string.Join(",", text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

    private static async Task UntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
