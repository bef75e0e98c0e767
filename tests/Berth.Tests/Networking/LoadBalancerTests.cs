using Berth.Tests.Agent;
using Berth.Tests.Kube;

namespace Berth.Tests.Networking;

/// <summary>
/// A Deployment of busybox httpd behind a Service of type LoadBalancer, on two podman nodes, driven with the stock
/// kubectl and curl: the Service gets an EXTERNAL-IP that answers from every Ready pod, its node port answers on
/// every node's address, its cluster IP from a pod; ClientIP affinity keeps a client on one pod; a pod failing readiness, or scaled away, gets no more traffic;
/// deleting the Service takes its address and its rules away; a Service selecting nothing refuses connections; and
/// agents killed and started again rebuild the rules without duplicates, and a connection made before goes on.
/// </summary>
public sealed class LoadBalancerTests(PodmanClusterFixture cluster) : IClassFixture<PodmanClusterFixture>
{
    private Kubectl Kubectl => cluster.Kubectl;

    [Fact]
    public async Task LoadBalancer_AnswersFromReadyPodsOnly_AndGoesWithItsService()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo}
            spec:
              replicas: 3
              selector: {matchLabels: {app: echo}}
              template:
                metadata: {labels: {app: echo}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: httpd
                    image: $IMAGE
                    command: ["sh", "-c", "mkdir -p /www && echo $(POD_NAME) > /www/index.html && touch /ready && exec httpd -f -p 8080 -h /www"]
                    env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
                    ports: [{name: http, containerPort: 8080}]
                    readinessProbe: {exec: {command: ["test", "-f", "/ready"]}, periodSeconds: 1}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: echo}
            spec:
              type: LoadBalancer
              selector: {app: echo}
              ports: [{name: web, port: 80, targetPort: http}]
            """.Replace("$IMAGE", PodmanClusterFixture.Image, StringComparison.Ordinal)));
        await Kubectl.SucceedAsync("rollout", "status", "deploy/echo", "--timeout=120s");
        var pods = (await Kubectl.SucceedAsync("get", "pods", "-l", "app=echo", "-o", "jsonpath={.items[*].metadata.name}")).Split(' ');
        Assert.Equal(3, pods.Length);

        var external = await UntilAsync(async () => await Kubectl.SucceedAsync("get", "svc", "echo", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"),
            ip => ip.StartsWith("127.", StringComparison.Ordinal), "the Service's EXTERNAL-IP");
        Assert.Contains(external, await Kubectl.SucceedAsync("get", "svc", "echo"), StringComparison.Ordinal);

        // every pod answers through the load balancer
        var answers = await UntilAsync(() => Curl.AnswersAsync($"http://{external}/", 40), a => pods.All(a.ContainsKey) && a.Count == 3,
            "answers from all three pods through the load balancer");

        // ClientIP affinity: the host's requests stay with one pod, until the Service lets go of it
        await Kubectl.SucceedAsync("patch", "svc", "echo", "-p", """{"spec":{"sessionAffinity":"ClientIP"}}""");
        await UntilAsync(() => Curl.AnswersAsync($"http://{external}/", 10), a => a.Count == 1 && pods.Contains(a.Keys.Single()), "answers from one pod only");
        await Kubectl.SucceedAsync("patch", "svc", "echo", "-p", """{"spec":{"sessionAffinity":"None"}}""");
        await UntilAsync(() => Curl.AnswersAsync($"http://{external}/", 20), a => a.Count > 1, "answers from several pods again");

        // the node port, on every node's address
        var nodePort = await Kubectl.SucceedAsync("get", "svc", "echo", "-o", "jsonpath={.spec.ports[0].nodePort}");
        foreach (var node in cluster.Nodes)
        {
            var (exitCode, body) = await Curl.GetAsync($"http://{cluster.Agents.Address(node)}:{nodePort}/");
            Assert.True(exitCode == 0 && pods.Contains(body), $"node port {nodePort} on {node}: {body}");
        }

        // the cluster IP, from a pod of the cluster
        var clusterIp = await Kubectl.SucceedAsync("get", "svc", "echo", "-o", "jsonpath={.spec.clusterIP}");
        var fromPod = await Kubectl.SucceedAsync("exec", pods[0], "--", "wget", "-q", "-O", "-", $"http://{clusterIp}/");
        Assert.Contains(fromPod.Trim(), pods);

        // a pod failing readiness leaves the endpoints, and gets no traffic
        await Kubectl.SucceedAsync("exec", pods[0], "--", "rm", "/ready");
        await UntilAsync(() => Kubectl.SucceedAsync("get", "endpoints", "echo", "-o", "jsonpath={.subsets[0].addresses[*].targetRef.name}"),
            names => names.Split(' ').Length == 2 && !names.Contains(pods[0], StringComparison.Ordinal), "the unready pod out of the endpoints");
        answers = await UntilAsync(() => Curl.AnswersAsync($"http://{external}/", 20), a => !a.ContainsKey(pods[0]) && a.Keys.All(pods.Contains),
            "answers from the Ready pods only");
        Assert.DoesNotContain(pods[0], answers.Keys);

        // scaled to one: only that one answers
        await Kubectl.SucceedAsync("exec", pods[0], "--", "touch", "/ready");
        await Kubectl.SucceedAsync("scale", "deploy/echo", "--replicas=1");
        var remaining = await UntilAsync(() => Kubectl.SucceedAsync("get", "pods", "-l", "app=echo", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[*].metadata.name}"),
            names => names.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 1, "one pod left");
        answers = await UntilAsync(() => Curl.AnswersAsync($"http://{external}/", 10), a => a.Count == 1 && a.ContainsKey(remaining),
            "answers from the one pod left");

        // the Service deleted: its address answers no more, and its rules are gone
        await Kubectl.SucceedAsync("delete", "svc", "echo");
        await UntilAsync(() => Curl.GetAsync($"http://{external}/"), r => r.ExitCode != 0, "the load balancer gone");
        var table = Berth.Agent.Services.NftablesRules.TableName(Berth.Agent.Network.PodNetwork.SpecFor(
            await Kubectl.SucceedAsync("get", "node", cluster.Nodes[0], "-o", "jsonpath={.spec.podCIDR}")).Bridge);
        Assert.DoesNotContain($"{external} . tcp", await Berth.Agent.Network.HostCommand.RunAsync("nft", ["list", "table", "ip", table], null, TestContext.Current.CancellationToken),
            StringComparison.Ordinal);
        await Kubectl.SucceedAsync("delete", "deploy", "echo");

        // a Service selecting nothing still gets its address, and refuses connections at once rather than timing out
        await Kubectl.SucceedAsync("create", "service", "loadbalancer", "nothing", "--tcp=80:8080");
        var empty = await UntilAsync(async () => await Kubectl.SucceedAsync("get", "svc", "nothing", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"),
            ip => ip.StartsWith("127.", StringComparison.Ordinal), "the empty Service's EXTERNAL-IP");
        await UntilAsync(() => Curl.GetAsync($"http://{empty}/"), r => r.ExitCode == 7, "connection refused by the empty Service"); // 7: could not connect
        await Kubectl.SucceedAsync("delete", "svc", "nothing");
    }

    [Fact]
    public async Task RestartedAgents_RebuildTheRules_WithoutDuplicates()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: steady}
            spec:
              replicas: 2
              selector: {matchLabels: {app: steady}}
              template:
                metadata: {labels: {app: steady}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: httpd
                    image: $IMAGE
                    command: ["sh", "-c", "mkdir -p /www && echo $(POD_NAME) > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: steady}
            spec:
              type: LoadBalancer
              selector: {app: steady}
              ports: [{port: 80, targetPort: 8080}]
            """.Replace("$IMAGE", PodmanClusterFixture.Image, StringComparison.Ordinal)));
        await Kubectl.SucceedAsync("rollout", "status", "deploy/steady", "--timeout=120s");
        var external = await UntilAsync(async () => await Kubectl.SucceedAsync("get", "svc", "steady", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"),
            ip => ip.StartsWith("127.", StringComparison.Ordinal), "the Service's EXTERNAL-IP");
        await UntilAsync(() => Curl.GetAsync($"http://{external}/"), r => r.ExitCode == 0, "the load balancer answering");
        var podCidr = await Kubectl.SucceedAsync("get", "node", cluster.Nodes[0], "-o", "jsonpath={.spec.podCIDR}");
        var table = Berth.Agent.Services.NftablesRules.TableName(Berth.Agent.Network.PodNetwork.SpecFor(podCidr).Bridge);

        // a connection made now, through the load balancer, and left waiting
        using var established = new System.Net.Sockets.TcpClient();
        await established.ConnectAsync(System.Net.IPAddress.Parse(external), 80, TestContext.Current.CancellationToken);

        // each agent in turn killed outright and started again: whichever led, another takes over, and the rules stay one set
        foreach (var node in cluster.Nodes)
        {
            await cluster.Agents.RestartAsync(node);
            await cluster.Agents.WaitReadyAsync(Kubectl);
            var answers = await Curl.AnswersAsync($"http://{external}/", 10);
            Assert.True(answers.Keys.All(k => k.StartsWith("steady-", StringComparison.Ordinal)), string.Join(", ", answers.Keys));
            var rules = await Berth.Agent.Network.HostCommand.RunAsync("nft", ["list", "table", "ip", table], null, TestContext.Current.CancellationToken);
            Assert.Equal(1, rules.Split('\n').Count(l => l.Contains($"{external} . tcp . 80 :", StringComparison.Ordinal)));
            Assert.Equal(1, rules.Split('\n').Count(l => l.Contains("chain nat-output {", StringComparison.Ordinal)));
        }
        // the connection made before is still there, to the same pod, through the rewritten rules
        var stream = established.GetStream();
        await stream.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        Assert.Contains("steady-", await reader.ReadToEndAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await Kubectl.SucceedAsync("delete", "svc,deploy", "steady");
    }

    /// <summary>Reads <paramref name="read"/> until <paramref name="done"/> holds (a minute at most); returns what it read last.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var last = default(T);
        for (var round = 0; round < 120; round++)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
        Assert.Fail($"no {what} within a minute; last: {System.Text.Json.JsonSerializer.Serialize(last)}");
        return last!;
    }
}
