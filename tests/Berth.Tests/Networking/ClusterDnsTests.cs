using Berth.Tests.Agent;
using Berth.Tests.Kube;

namespace Berth.Tests.Networking;

/// <summary>
/// Cluster DNS through two podman nodes, with the stock kubectl: a front pod reaches the back tier by its Service's
/// name and a StatefulSet's pod by its own name under its headless Service, finds a named port by SRV, and has the
/// resolv.conf its dnsPolicy asks for; names outside the cluster are the host resolver's answers.
/// </summary>
public sealed class ClusterDnsTests(PodmanClusterFixture cluster) : IClassFixture<PodmanClusterFixture>
{
    private Kubectl Kubectl => cluster.Kubectl;

    [Fact]
    public async Task FrontPod_ReachesServiceAndStatefulSetPod_ByName()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: v1
            kind: Service
            metadata: {name: db}
            spec:
              clusterIP: None
              selector: {app: db}
              ports: [{name: mysql, port: 3306}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              serviceName: db
              replicas: 2
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: db
                    image: $IMAGE
                    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 3306 -h /www"]
                    ports: [{name: mysql, containerPort: 3306}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: back}
            spec:
              selector: {app: back}
              ports: [{name: http, port: 80, targetPort: 8080}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: back}
            spec:
              replicas: 1
              selector: {matchLabels: {app: back}}
              template:
                metadata: {labels: {app: back}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: httpd
                    image: $IMAGE
                    command: ["sh", "-c", "mkdir -p /www && echo back > /www/index.html && exec httpd -f -p 8080 -h /www"]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: front}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - {name: front, image: $IMAGE, command: ["sleep", "3600"]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: custom}
            spec:
              terminationGracePeriodSeconds: 1
              dnsPolicy: None
              dnsConfig:
                nameservers: [192.0.2.53]
                searches: [example.test]
                options: [{name: ndots, value: "2"}, {name: edns0}]
              containers:
              - {name: custom, image: $IMAGE, command: ["sleep", "3600"]}
            """.Replace("$IMAGE", PodmanClusterFixture.Image, StringComparison.Ordinal)));
        await Kubectl.SucceedAsync("rollout", "status", "statefulset/db", "--timeout=120s");
        await Kubectl.SucceedAsync("rollout", "status", "deploy/back", "--timeout=120s");
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/front", "pod/custom", "--timeout=120s");

        var resolv = await Kubectl.SucceedAsync("exec", "front", "--", "cat", "/etc/resolv.conf");
        Assert.Contains("nameserver 10.100.0.10", resolv, StringComparison.Ordinal);
        Assert.Matches(@"search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b", resolv);
        Assert.Contains("ndots:5", resolv, StringComparison.Ordinal);
        var custom = await Kubectl.SucceedAsync("exec", "custom", "--", "cat", "/etc/resolv.conf");
        Assert.Contains("nameserver 192.0.2.53", custom, StringComparison.Ordinal);
        Assert.DoesNotContain("10.100.0.10", custom, StringComparison.Ordinal);
        Assert.Contains("search example.test", custom, StringComparison.Ordinal);
        Assert.Contains("ndots:2", custom, StringComparison.Ordinal);

        // the back tier by its Service's short name, through the search domains
        Assert.Equal("back", await ExecAsync("wget", "-q", "-O", "-", "http://back/"));
        var backIp = await Kubectl.SucceedAsync("get", "svc", "back", "-o", "jsonpath={.spec.clusterIP}");
        Assert.Contains(backIp, await ExecAsync("nslookup", "back.default.svc.cluster.local"), StringComparison.Ordinal);

        // a StatefulSet's pod by its own name under its headless Service
        Assert.Equal("db-1", await ExecAsync("wget", "-q", "-O", "-", "http://db-1.db:3306/"));
        Assert.Equal("db-0", await ExecAsync("wget", "-q", "-O", "-", "http://db-0.db.default.svc.cluster.local:3306/"));
        // the headless Service's name is its pods' addresses
        var dbIps = (await Kubectl.SucceedAsync("get", "pods", "-l", "app=db", "-o", "jsonpath={.items[*].status.podIP}")).Split(' ');
        var lookup = await ExecAsync("nslookup", "db.default.svc.cluster.local");
        Assert.All(dbIps, ip => Assert.Contains(ip, lookup, StringComparison.Ordinal));
        // a named port by SRV
        Assert.Contains("3306", await ExecAsync("nslookup", "-type=srv", "_mysql._tcp.db.default.svc.cluster.local"), StringComparison.Ordinal);
        // a name outside the cluster, answered by the host's resolver through the cluster DNS
        var upstream = await System.Net.Dns.GetHostAddressesAsync("deb.debian.org", System.Net.Sockets.AddressFamily.InterNetwork, TestContext.Current.CancellationToken);
        var forwarded = await ExecAsync("nslookup", "-type=a", "deb.debian.org");
        Assert.True(upstream.Any(a => forwarded.Contains(a.ToString(), StringComparison.Ordinal)), $"the host has {string.Join(", ", upstream.Select(a => a.ToString()))}; the pod got:\n{forwarded}");

        // a name the cluster does not have
        var (exitCode, _, _) = await Kubectl.RunAsync("exec", "front", "--", "nslookup", "nothing.default.svc.cluster.local");
        Assert.NotEqual(0, exitCode);

        await Kubectl.SucceedAsync("delete", "pod", "front", "custom", "--wait=false");
        await Kubectl.SucceedAsync("delete", "statefulset/db", "deploy/back", "svc/db", "svc/back", "--wait=false");
    }

    private async Task<string> ExecAsync(params string[] command) => (await Kubectl.SucceedAsync(["exec", "front", "--", .. command])).Trim();
}
