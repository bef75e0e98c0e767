using System.Globalization;
using Berth.Tests.Kube;

namespace Berth.Tests.Agent;

/// <summary>
/// Pods run as real containers on Podman through two <c>berth agent</c>s, driven with the stock kubectl and podman:
/// a Deployment's pods serve HTTP on their own addresses over both nodes, a killed container is restarted and
/// counted, probes restart and gate readiness, a bad image backs off, configuration comes from ConfigMaps and
/// Secrets, and deleting the pods leaves no container behind.
/// </summary>
public sealed class PodmanNodeTests(PodmanClusterFixture cluster) : IClassFixture<PodmanClusterFixture>
{
    private Kubectl Kubectl => cluster.Kubectl;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deployment_ServesFromContainersOnBothNodes_AndAKilledContainerIsRestarted()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(WithImage("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web-config}
            data: {greeting: hello}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 2
                  containers:
                  - name: httpd
                    image: $IMAGE
                    command: ["sh", "-c", "echo $(GREETING) from $(POD_NAME) > /www/index.html && exec httpd -f -p 8080 -h /www"]
                    env:
                    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                    - {name: GREETING, valueFrom: {configMapKeyRef: {name: web-config, key: greeting}}}
                    ports: [{name: http, containerPort: 8080}]
                    readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
                    volumeMounts: [{name: www, mountPath: /www}]
                    resources: {limits: {cpu: 200m, memory: 64Mi}}
                  volumes: [{name: www, emptyDir: {}}]
            """)));
        Assert.Contains("successfully rolled out", await Kubectl.SucceedAsync("rollout", "status", "deploy/web", "--timeout=120s"), StringComparison.Ordinal);
        var pods = (await Kubectl.SucceedAsync("get", "pods", "-l", "app=web", "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP} {.status.containerStatuses[0].containerID}{\"\\n\"}{end}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).ToList();
        Assert.Equal(3, pods.Count);
        Assert.Equal(cluster.Nodes, pods.Select(p => p[1]).Distinct().Order());
        Assert.Equal(3, pods.Select(p => p[2]).Distinct().Count());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var pod in pods)
        {
            Assert.StartsWith("podman://", pod[3], StringComparison.Ordinal);
            Assert.Equal($"hello from {pod[0]}\n", await http.GetStringAsync($"http://{pod[2]}:8080/", Token));
        }

        // a container killed underneath the agent is started again, and the restart counted
        var (victim, containerId) = (pods[0][0], pods[0][3]["podman://".Length..]);
        await cluster.Podman.SucceedAsync("kill", containerId);
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/" + victim, "--timeout=60s");
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/" + victim, "--timeout=60s");
        Assert.Equal("137", await Kubectl.SucceedAsync("get", "pod", victim, "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}"));

        await Kubectl.SucceedAsync("delete", "deploy/web");
        await Kubectl.SucceedAsync("wait", "--for=delete", "pod", "-l", "app=web", "--timeout=60s");
        foreach (var pod in pods)
        {
            await WaitForAsync(async () => !(await ContainersAsync()).Any(c => c.Contains(pod[0], StringComparison.Ordinal)), $"the containers of {pod[0]} are removed");
        }
    }

    [Fact]
    public async Task FailingLivenessProbe_RestartsTheContainer()
    {
        await Kubectl.CreateAsync(WithImage("""
            apiVersion: v1
            kind: Pod
            metadata: {name: liveness}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: app
                image: $IMAGE
                command: ["sh", "-c", "touch /tmp/healthy; sleep 3; rm /tmp/healthy; exec sleep 600"]
                livenessProbe: {exec: {command: [cat, /tmp/healthy]}, periodSeconds: 1, failureThreshold: 2}
            """));
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/liveness", "--timeout=90s");
        var events = await Kubectl.SucceedAsync("get", "events", "--field-selector", "involvedObject.name=liveness", "-o",
            "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
        Assert.Contains("Unhealthy: Liveness probe failed:", events, StringComparison.Ordinal);
        Assert.Contains("Killing: Container app failed liveness probe, will be restarted", events, StringComparison.Ordinal);
        await Kubectl.SucceedAsync("delete", "pod", "liveness");
    }

    [Fact]
    public async Task ImageThatCannotBePulled_IsErrImagePull_ThenImagePullBackOff()
    {
        await Kubectl.SucceedAsync("run", "absent", "--image=localhost:1/berth-test/absent:1");
        await WaitForReasonAsync("absent", "ErrImagePull");
        await WaitForReasonAsync("absent", "ImagePullBackOff");
        Assert.Equal("Pending", await Kubectl.SucceedAsync("get", "pod", "absent", "-o", "jsonpath={.status.phase}"));
        await Kubectl.SucceedAsync("delete", "pod", "absent");
    }

    [Fact]
    public async Task ImageFromTheEcrRegistry_IsPulledWithADockerRegistrySecret_AndRefusedWithout()
    {
        var aws = new Aws.AwsCli(cluster.AwsAddress, cluster.DataDirectory);
        Assert.Equal(0, (await aws.RunAsync("ecr", "create-repository", "--repository-name", "team/app")).ExitCode);
        var password = (await aws.RunAsync("ecr", "get-login-password")).Output.Trim();
        var registry = cluster.AwsAddress.Authority;
        await cluster.Podman.SucceedAsync("push", "--tls-verify=false", "--creds", "AWS:" + password, PodmanClusterFixture.Image, $"{registry}/team/app:v1");
        await Kubectl.SucceedAsync("create", "secret", "docker-registry", "ecr", $"--docker-server={registry}", "--docker-username=AWS", $"--docker-password={password}");

        foreach (var (name, secrets) in new[] { ("from-ecr", "imagePullSecrets: [{name: ecr}]"), ("no-secret", "") })
        {
            await Kubectl.CreateAsync($$"""
                apiVersion: v1
                kind: Pod
                metadata: {name: {{name}}}
                spec:
                  terminationGracePeriodSeconds: 1
                  {{secrets}}
                  containers:
                  - name: app
                    image: {{registry}}/team/app:v1
                    imagePullPolicy: Always
                    command: ["sleep", "600"]
                """);
        }
        await WaitForAsync(async () => await Kubectl.SucceedAsync("get", "pod", "from-ecr", "-o", "jsonpath={.status.phase}") == "Running", "the pod pulled from ECR runs");
        await WaitForReasonAsync("no-secret", "ErrImagePull");
        Assert.Contains("unauthorized", await Kubectl.SucceedAsync("get", "pod", "no-secret", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}"),
            StringComparison.OrdinalIgnoreCase);
        await Kubectl.SucceedAsync("delete", "pod", "from-ecr", "no-secret");
    }

    [Fact]
    public async Task CrashingContainer_IsInCrashLoopBackOff_WithItsExitCode()
    {
        await Kubectl.SucceedAsync("run", "crash", "--image=" + PodmanClusterFixture.Image, "--", "sh", "-c", "exit 3");
        await WaitForReasonAsync("crash", "CrashLoopBackOff");
        Assert.Equal("3 Error", await Kubectl.SucceedAsync("get", "pod", "crash", "-o",
            "jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].lastState.terminated.reason}"));
        Assert.True(int.Parse(await Kubectl.SucceedAsync("get", "pod", "crash", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"), CultureInfo.InvariantCulture) >= 1);
        await Kubectl.SucceedAsync("delete", "pod", "crash", "--grace-period=1");
    }

    [Fact]
    public async Task PodRunsToCompletion_WithInitContainersVolumesAndConfiguration()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(WithImage("""
            apiVersion: v1
            kind: Secret
            metadata: {name: job-secret}
            stringData: {password: s3cret}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: job-config}
            data: {mode: batch, settings.conf: "level=3"}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: to-completion, labels: {tier: batch}}
            spec:
              restartPolicy: Never
              initContainers:
              - {name: prepare, image: "$IMAGE", command: [sh, -c, "echo prepared > /work/state"], volumeMounts: [{name: work, mountPath: /work}]}
              containers:
              - name: main
                image: $IMAGE
                command: [sh, -c]
                args:
                - >-
                  test "$(cat /work/state)" = prepared &&
                  test "$PASSWORD" = s3cret && test "$CFG_mode" = batch &&
                  test "$(cat /etc/app/settings.conf)" = level=3 &&
                  test "$(cat /etc/pod/labels)" = 'tier="batch"' &&
                  test "$LIMIT" = 64
                env:
                - {name: PASSWORD, valueFrom: {secretKeyRef: {name: job-secret, key: password}}}
                - {name: LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
                envFrom: [{configMapRef: {name: job-config}, prefix: CFG_}]
                resources: {limits: {memory: 64Mi}}
                volumeMounts:
                - {name: work, mountPath: /work}
                - {name: config, mountPath: /etc/app}
                - {name: pod, mountPath: /etc/pod}
              volumes:
              - {name: work, emptyDir: {}}
              - {name: config, configMap: {name: job-config}}
              - {name: pod, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
            """)));
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/to-completion", "--timeout=90s");
        Assert.Equal("Completed 0 Completed", await Kubectl.SucceedAsync("get", "pod", "to-completion", "-o",
            "jsonpath={.status.initContainerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}"));
        await Kubectl.SucceedAsync("delete", "pod", "to-completion");
    }

    [Fact]
    public async Task MissingConfigMapKey_IsCreateContainerConfigError()
    {
        await Kubectl.CreateAsync(WithImage("""
            apiVersion: v1
            kind: Pod
            metadata: {name: missing-key}
            spec:
              containers:
              - name: app
                image: $IMAGE
                command: [sleep, "600"]
                env: [{name: X, valueFrom: {configMapKeyRef: {name: no-such-config, key: x}}}]
            """));
        await WaitForReasonAsync("missing-key", "CreateContainerConfigError");
        Assert.Equal("configmap \"no-such-config\" not found", await Kubectl.SucceedAsync("get", "pod", "missing-key", "-o",
            "jsonpath={.status.containerStatuses[0].state.waiting.message}"));
        await Kubectl.SucceedAsync("delete", "pod", "missing-key");
    }

    [Fact]
    public async Task KubectlTopPod_ReportsTheMemoryARunningContainerUses()
    {
        await Kubectl.CreateAsync(WithImage("""
            apiVersion: v1
            kind: Pod
            metadata: {name: hungry}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: hungry
                image: $IMAGE
                command: ["sh", "-c", "head -c 20000000 /dev/zero > /dev/shm/fill; echo filled; sleep 3600"]
            """));
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/hungry", "--timeout=60s");
        await WaitForAsync(async () => (await Kubectl.SucceedAsync("logs", "hungry")).Contains("filled", StringComparison.Ordinal), "hungry has filled 20 MB of /dev/shm, which is charged to it");
        // metrics appear once the API server has read the node, which the first ask starts
        await WaitForAsync(async () => (await Kubectl.RunAsync("top", "pod", "hungry", "--containers")).ExitCode == 0, "kubectl top has the pod's usage");
        var top = await Kubectl.SucceedAsync("top", "pod", "hungry", "--containers");
        var usage = System.Text.RegularExpressions.Regex.Match(top, @"hungry\s+hungry\s+(\d+)m\s+(\d+)Mi");
        Assert.True(usage.Success, top);
        Assert.InRange(int.Parse(usage.Groups[2].Value, CultureInfo.InvariantCulture), 19, 1024);
        await Kubectl.SucceedAsync("delete", "pod", "hungry");
    }

    [Fact]
    public async Task LogsAndExec_ReachTheContainerThroughTheApiServer()
    {
        await Kubectl.CreateAsync(WithImage("""
            apiVersion: v1
            kind: Pod
            metadata: {name: talker}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: talker
                image: $IMAGE
                command: ["sh", "-c", "echo started; i=0; while true; do echo tick $i; echo warn $i >&2; i=$((i+1)); sleep 1; done"]
            """));
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/talker", "--timeout=60s");
        await WaitForAsync(async () => (await Kubectl.SucceedAsync("logs", "talker")).Contains("tick 2", StringComparison.Ordinal), "talker has logged three ticks");

        // stdout and stderr interleaved, from the start; the options narrow it
        var log = await Kubectl.SucceedAsync("logs", "talker");
        Assert.StartsWith("started\ntick 0\nwarn 0\n", log.ReplaceLineEndings("\n") + "\n", StringComparison.Ordinal);
        Assert.Single((await Kubectl.SucceedAsync("logs", "talker", "--tail=1")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (tick|warn) \d+$", await Kubectl.SucceedAsync("logs", "talker", "--tail=1", "--timestamps"));
        Assert.Equal("start", await Kubectl.SucceedAsync("logs", "talker", "--limit-bytes=5"));
        await using (var follow = Kubectl.Start("logs", "-f", "talker", "--tail=1"))
        {
            var first = await follow.WaitForOutputLineAsync(line => line.StartsWith("tick ", StringComparison.Ordinal));
            var next = int.Parse(first["tick ".Length..], CultureInfo.InvariantCulture) + 1;
            await follow.WaitForOutputLineAsync(line => line == $"tick {next}"); // written after the request: followed
        }

        // commands run in the container, with their output, input and exit code
        var failed = await Kubectl.RunAsync("exec", "talker", "--", "sh", "-c", "echo out; echo err >&2; exit 7");
        Assert.Equal((7, "out\n"), (failed.ExitCode, failed.Output));
        Assert.Contains("err", failed.Error, StringComparison.Ordinal);
        var piped = await Kubectl.RunWithInputAsync("through stdin\n", "exec", "-i", "talker", "--", "cat"); // ends as its input does
        Assert.Equal((0, "through stdin\n"), (piped.ExitCode, piped.Output));
        Assert.Equal("talker\n", await Kubectl.SucceedAsync("exec", "talker", "--", "hostname")); // the pod's name, which the sandbox holds

        // the errors kube-apiserver and the kubelet give
        Assert.Contains("container nope is not valid for pod talker", (await Kubectl.RunAsync("logs", "talker", "-c", "nope")).Error, StringComparison.Ordinal);
        Assert.Contains("previous terminated container \"talker\" in pod \"talker\" not found",
            (await Kubectl.RunAsync("logs", "talker", "--previous")).Error, StringComparison.Ordinal);

        // who may not read pods/log or create pods/exec is refused by the API server; the agent takes only clients
        // with a certificate from the cluster's CA
        Assert.Contains("Forbidden", (await Kubectl.RunAsync("logs", "talker", "--as=jane")).Error, StringComparison.Ordinal);
        Assert.Contains("Forbidden", (await Kubectl.RunAsync("exec", "talker", "--as=jane", "--", "true")).Error, StringComparison.Ordinal);
        var node = (await Kubectl.SucceedAsync("get", "pod", "talker", "-o", "jsonpath={.spec.nodeName}"));
        var agent = await Kubectl.SucceedAsync("get", "node", node, "-o",
            "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}:{.status.daemonEndpoints.kubeletEndpoint.Port}");
        using (var anonymous = new HttpClient(new SocketsHttpHandler
        {
            // the agent's self-signed certificate, taken for what it says it is
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.Subject.Contains("@berth-agent", StringComparison.Ordinal) == true },
        }))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetAsync($"https://{agent}/containerLogs/default/talker/talker", Token));
        }

        // once the container restarted, --previous is the attempt before
        var id = (await Kubectl.SucceedAsync("get", "pod", "talker", "-o", "jsonpath={.status.containerStatuses[0].containerID}"))["podman://".Length..];
        await cluster.Podman.SucceedAsync("kill", id);
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/talker", "--timeout=60s");
        Assert.StartsWith("started", await Kubectl.SucceedAsync("logs", "talker", "--previous"), StringComparison.Ordinal);
        await Kubectl.SucceedAsync("delete", "pod", "talker");
    }

    [Theory]
    [InlineData("true")] // a WebSocket carrying SPDY, which kubectl tries first
    [InlineData("false")] // plain SPDY, which kubectl falls back to
    public async Task PortForward_ReachesAPortOnThePodsOwnLocalhost(string overWebSocket)
    {
        var pod = "forwarded-" + (overWebSocket == "true" ? "ws" : "spdy");
        await Kubectl.CreateAsync(WithImage($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{pod}}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: web
                image: $IMAGE
                command: ["sh", "-c", "mkdir /www && echo only inside $(hostname) > /www/index.html && exec httpd -f -p 127.0.0.1:8081 -h /www"]
            """));
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/" + pod, "--timeout=60s");
        var environment = new Dictionary<string, string> { ["KUBECTL_PORT_FORWARD_WEBSOCKETS"] = overWebSocket };
        await using (var forward = Kubectl.Start(environment, "port-forward", "pod/" + pod, ":8081", ":9"))
        {
            var web = LocalPort(await forward.WaitForOutputLineAsync(line => line.StartsWith("Forwarding from 127.0.0.1:", StringComparison.Ordinal) && line.EndsWith("-> 8081", StringComparison.Ordinal)));
            var closed = LocalPort(await forward.WaitForOutputLineAsync(line => line.StartsWith("Forwarding from 127.0.0.1:", StringComparison.Ordinal) && line.EndsWith("-> 9", StringComparison.Ordinal)));

            // httpd listens only on the pod's loopback, which no address outside the pod reaches; each request is a
            // connection of its own, so a stream pair of its own in the one session
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{web}/");
                request.Headers.ConnectionClose = true;
                using var response = await http.SendAsync(request, Token);
                Assert.Equal($"only inside {pod}\n", await response.Content.ReadAsStringAsync(Token));
            }

            // nothing listens on port 9: the connection is closed, and kubectl prints the agent's reason
            using (var client = new System.Net.Sockets.TcpClient())
            {
                await client.ConnectAsync("127.0.0.1", closed, Token);
                var buffer = new byte[16];
                Assert.Equal(0, await client.GetStream().ReadAsync(buffer, Token));
            }
            Assert.Contains("failed to connect to localhost:9 inside namespace",
                await forward.WaitForErrorLineAsync(line => line.Contains("error forwarding port 9", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
        Assert.Contains("Forbidden", (await Kubectl.RunAsync("port-forward", "--as=jane", "pod/" + pod, ":8081")).Error, StringComparison.Ordinal);
        await Kubectl.SucceedAsync("delete", "pod", pod);
    }

    private const string StatefulSetManifest = """
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
                command: ["sh", "-c", "[ -f /data/id ] || hostname > /data/id; exec httpd -f -p 8080 -h /data"]
                readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
                volumeMounts: [{name: data, mountPath: /data}]
          volumeClaimTemplates:
          - metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
        """;

    [Fact]
    public async Task StatefulSet_KeepsItsNamesAndVolumesAcrossAPodDeletion()
    {
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(WithImage(StatefulSetManifest)));
        await Kubectl.SucceedAsync("rollout", "status", "sts/db", "--timeout=120s");
        Assert.Equal("db-0 db-1", await Kubectl.SucceedAsync("get", "pods", "-l", "app=db", "-o", "jsonpath={.items[*].metadata.name}"));
        Assert.Equal("Bound:local-path Bound:local-path", (await Kubectl.SucceedAsync("get", "pvc", "data-db-0", "data-db-1", "-o",
            "jsonpath={range .items[*]}{.status.phase}:{.spec.storageClassName} {end}")).Trim());

        // the pod made again under its name finds what its first life wrote
        await Kubectl.SucceedAsync("exec", "db-0", "--", "sh", "-c", "echo kept > /data/marker");
        var uid = await Kubectl.SucceedAsync("get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}");
        await Kubectl.SucceedAsync("delete", "pod", "db-0");
        await WaitForAsync(async () => (await Kubectl.RunAsync("get", "pod", "db-0", "-o", "jsonpath={.metadata.uid}")) is (0, var now, _) && now.Length > 0 && now != uid,
            "db-0 is made again");
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/db-0", "--timeout=60s");
        Assert.Equal("kept\ndb-0\n", await Kubectl.SucceedAsync("exec", "db-0", "--", "cat", "/data/marker", "/data/id"));

        // deleted with its pods and revision orphaned and made again, the set adopts both: no pod is replaced
        var pods = await Kubectl.SucceedAsync("get", "pods", "-l", "app=db", "-o", "jsonpath={.items[*].metadata.uid}");
        await Kubectl.SucceedAsync("delete", "sts/db", "--cascade=orphan");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(WithImage(StatefulSetManifest)));
        var setUid = await Kubectl.SucceedAsync("get", "sts/db", "-o", "jsonpath={.metadata.uid}");
        await WaitForAsync(async () => await Kubectl.SucceedAsync("get", "controllerrevisions", "-l", "app=db", "-o",
            "jsonpath={.items[*].metadata.ownerReferences[0].uid}") == setUid, "the set adopts its revision");
        await Kubectl.SucceedAsync("rollout", "status", "sts/db", "--timeout=60s");
        Assert.Equal(pods, await Kubectl.SucceedAsync("get", "pods", "-l", "app=db", "-o", "jsonpath={.items[*].metadata.uid}"));
        Assert.Equal("1", await Kubectl.SucceedAsync("get", "controllerrevisions", "-l", "app=db", "-o", "jsonpath={.items[*].revision}"));

        // the claims outlive the set; deleted, their volumes go too (the class reclaims by deletion)
        var volumes = await Kubectl.SucceedAsync("get", "pvc", "data-db-0", "data-db-1", "-o", "jsonpath={.items[*].spec.volumeName}");
        await Kubectl.SucceedAsync("delete", "sts/db");
        await Kubectl.SucceedAsync("wait", "--for=delete", "pod", "-l", "app=db", "--timeout=60s");
        await Kubectl.SucceedAsync("delete", "pvc", "data-db-0", "data-db-1");
        foreach (var volume in volumes.Split(' '))
        {
            await Kubectl.SucceedAsync("wait", "--for=delete", "pv/" + volume, "--timeout=60s");
        }
    }

    [Fact]
    public async Task Agent_AdoptsItsContainersWhenRestarted_AndOutlivesPodmanRestarting()
    {
        var node = cluster.Nodes[0];
        await Kubectl.CreateAsync(PinnedSleeper("steady", node));
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/steady", "--timeout=60s");
        var containers = await ContainersOfPodAsync("steady");

        // restarted, the agent takes over what runs rather than starting it again; a pod made after its restart
        // runs, so the agent has synced the node's pods by then
        await cluster.Agents.RestartAsync(node);
        await Kubectl.CreateAsync(PinnedSleeper("after-agent", node));
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/after-agent", "--timeout=60s");
        Assert.Equal(containers, await ContainersOfPodAsync("steady"));

        // the Podman service stops underneath the agent: the containers keep running, and the agent starts the
        // service again and runs new pods
        Podman.StopService(cluster.PodmanDirectory);
        await Kubectl.CreateAsync(PinnedSleeper("after-podman", node));
        await Kubectl.SucceedAsync("wait", "--for=condition=Ready", "pod/after-podman", "--timeout=90s");
        Assert.Equal(containers, await ContainersOfPodAsync("steady"));
        Assert.Equal("0 true", await Kubectl.SucceedAsync("get", "pod", "steady", "-o",
            "jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].ready}"));

        await Kubectl.SucceedAsync("delete", "pod", "steady", "after-agent", "after-podman");
        foreach (var pod in new[] { "steady", "after-agent", "after-podman" })
        {
            Assert.Empty(await ContainersOfPodAsync(pod));
        }
    }

    /// <summary>A pod bound to a node by name, which sleeps until it is stopped.</summary>
    private static string PinnedSleeper(string name, string node) => WithImage($$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}}
        spec:
          nodeName: {{node}}
          terminationGracePeriodSeconds: 1
          containers:
          - name: sleeper
            image: $IMAGE
            command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
        """);

    /// <summary>The IDs of the sandbox and containers the runtime holds for a pod, in a stable order.</summary>
    private Task<string> ContainersOfPodAsync(string pod) =>
        cluster.Podman.SucceedAsync("ps", "-a", "--sort", "id", "--filter", "label=io.kubernetes.pod.name=" + pod, "--format", "{{.ID}}");

    /// <summary>The local port of kubectl's <c>Forwarding from 127.0.0.1:PORT -> REMOTE</c> line.</summary>
    private static int LocalPort(string line) =>
        int.Parse(line["Forwarding from 127.0.0.1:".Length..line.IndexOf(' ', "Forwarding from 127.0.0.1:".Length)], CultureInfo.InvariantCulture);

    /// <summary>A manifest with the test image in place of <c>$IMAGE</c>.</summary>
    private static string WithImage(string manifest) => manifest.Replace("$IMAGE", PodmanClusterFixture.Image, StringComparison.Ordinal);

    private async Task<string[]> ContainersAsync() =>
        [.. (await cluster.Podman.ContainersOfNodeAsync(cluster.Nodes[0])).Concat(await cluster.Podman.ContainersOfNodeAsync(cluster.Nodes[1]))];

    private async Task WaitForReasonAsync(string pod, string reason) =>
        await WaitForAsync(async () => await Kubectl.SucceedAsync("get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}") == reason,
            $"pod {pod} waits with reason {reason}");

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        for (var round = 0; round < 300; round++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(200, Token);
        }
        Assert.Fail("timed out waiting until " + what);
    }
}
