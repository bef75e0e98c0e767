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
        Assert.Equal(PodmanClusterFixture.Nodes, nodes.Keys.Order());
        Assert.All(nodes.Values, n => Assert.True(n.Cidr.PrefixLength == 24 && IPNetwork.Parse("10.128.0.0/16").Contains(n.Cidr.BaseAddress), n.Cidr.ToString()));
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
}
