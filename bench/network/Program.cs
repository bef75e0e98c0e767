// The service networking benchmark: wrk through a LoadBalancer address (from the host) and through a ClusterIP (from
// a client pod's network namespace), each beside wrk straight to the serving pod's IP from the same place, in the
// same run, alternating round by round. One pod (lighttpd, see BackendImage) serves, so every path ends at the same
// server; wrk, the serving pod and Berth share the machine's cores.
// Usage: dotnet run -c Release --project bench/network [-- --seconds 10 --connections 4 --rounds 3]
using System.Globalization;
using Berth.Agent.Runtime;
using Berth.Bench;
using Berth.Bench.Network;

const string Image = "localhost/berth-bench/busybox:1";
const string Backend = "localhost/berth-bench/lighttpd:1";
const string NodeName = "bench-net";
var settings = BenchSettings.Parse(args);
var scratch = Directory.CreateTempSubdirectory("berth-bench-network-").FullName;
var config = Path.Combine(scratch, "containers.conf");
await File.WriteAllTextAsync(config, PodmanService.ContainersConf);
var podman = new PodmanCli(config);
try
{
    await podman.BuildBusyboxAsync(scratch, Image);
    await BackendImage.BuildAsync(podman, scratch, Backend);
    await using var server = await ServerProcess.StartAsync(Path.Combine(scratch, "server"));
    await using var agent = AgentProcess.Start(server, NodeName, "127.0.201.1");
    var kubectl = new Kubectl(Path.Combine(server.DataDirectory, "kubeconfig"));
    var manifest = Path.Combine(scratch, "web.yaml");
    await File.WriteAllTextAsync(manifest, $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: lighttpd
                image: {{{Backend}}}
                imagePullPolicy: Never
                ports: [{containerPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          type: LoadBalancer
          selector: {app: web}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client}
        spec:
          containers:
          - {name: client, image: {{{Image}}}, imagePullPolicy: Never, command: ["sleep", "3600"]}
        """);
    await kubectl.RunAsync("apply", "-f", manifest);
    await kubectl.RunAsync("rollout", "status", "deploy/web", "--timeout=120s");
    await kubectl.RunAsync("wait", "--for=condition=Ready", "pod/client", "--timeout=120s");
    var podIp = await kubectl.WaitForAsync("pods", "{.items[?(@.metadata.labels.app==\"web\")].status.podIP}");
    var clusterIp = await kubectl.WaitForAsync("svc/web", "{.spec.clusterIP}");
    var balancer = await kubectl.WaitForAsync("svc/web", "{.status.loadBalancer.ingress[0].ip}");
    await kubectl.WaitForAsync("endpointslices", "{.items[?(@.metadata.labels.kubernetes\\.io/service-name==\"web\")].endpoints[0].addresses[0]}");
    var clientUid = await kubectl.RunAsync("get", "pod", "client", "-o", "jsonpath={.metadata.uid}");
    var clientPid = int.Parse(await podman.RunAsync("inspect", "--format", "{{.State.Pid}}", $"k8s_POD_client_default_{clientUid}_0"), CultureInfo.InvariantCulture);

    // one short untimed run of each path warms the server, conntrack and the rules
    var warm = settings with { Seconds = 1 };
    await Wrk.RunAsync($"http://{podIp}:8080/", warm);
    await Wrk.RunAsync($"http://{balancer}/", warm);
    await Wrk.RunAsync($"http://{clusterIp}/", warm, clientPid);

    List<WrkResult> direct = [], throughBalancer = [], directFromPod = [], throughClusterIp = [];
    for (var round = 0; round < settings.Rounds; round++)
    {
        direct.Add(await Wrk.RunAsync($"http://{podIp}:8080/", settings));
        throughBalancer.Add(await Wrk.RunAsync($"http://{balancer}/", settings));
        directFromPod.Add(await Wrk.RunAsync($"http://{podIp}:8080/", settings, clientPid));
        throughClusterIp.Add(await Wrk.RunAsync($"http://{clusterIp}/", settings, clientPid));
    }

    Console.WriteLine($"Berth service networking benchmark: {settings.Rounds} rounds of {settings.Seconds} s, {settings.Connections} connections, one serving pod");
    var missed = new List<string>();
    Line($"LoadBalancer {balancer}", throughBalancer, direct, missed);
    Line($"ClusterIP {clusterIp}", throughClusterIp, directFromPod, missed);
    Console.WriteLine(missed.Count == 0 ? "all targets met" : $"targets missed: {string.Join(", ", missed)}");
    return missed.Count == 0 ? 0 : 1;
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

// the medians of the rounds: one slow round on a noisy machine moves neither side much
static void Line(string name, List<WrkResult> service, List<WrkResult> direct, List<string> missed)
{
    var (rate, directRate) = (Median(service.Select(r => r.RequestsPerSecond)), Median(direct.Select(r => r.RequestsPerSecond)));
    var (p99, directP99) = (Median(service.Select(r => r.P99Milliseconds)), Median(direct.Select(r => r.P99Milliseconds)));
    var met = rate / directRate >= 0.8 && p99 - directP99 < 1;
    if (!met)
    {
        missed.Add(name);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-28} {rate,8:F0} req/s p99 {p99,6:F2} ms | pod IP (baseline) {directRate,8:F0} req/s p99 {directP99,6:F2} ms | throughput ratio {rate / directRate,5:F2}, p99 added {p99 - directP99,5:F2} ms  target >= 0.80, < 1 ms: {(met ? "met" : "MISSED")}"));
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}
