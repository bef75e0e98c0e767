namespace Berth.Tests.Kube;

/// <summary>
/// Nodes, Endpoints, EndpointSlices, Leases, storage, autoscaling, disruption budgets, priority classes and
/// events.k8s.io Events: applied with kubectl, defaulted, checked and printed as Kubernetes does.
/// </summary>
public sealed class ClusterKindTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    [Fact]
    public async Task NodesAndEndpoints_AreAppliedAndPrinted()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: network}");
        const string manifest = """
            apiVersion: v1
            kind: Node
            metadata:
              name: ip-10-0-0-1.ec2.internal
              labels: {node-role.kubernetes.io/control-plane: "", node-role.kubernetes.io/worker: ""}
            status:
              conditions: [{type: Ready, status: "True"}]
              addresses: [{type: InternalIP, address: 127.0.10.1}, {type: Hostname, address: ip-10-0-0-1}]
              capacity: {cpu: "2", memory: 4Gi, pods: "110"}
              nodeInfo: {kubeletVersion: v1.32.0, osImage: Debian GNU/Linux 12, kernelVersion: 6.1.0, containerRuntimeVersion: "podman://4.3.1",
                machineID: m, systemUUID: s, bootID: b, kubeProxyVersion: "", operatingSystem: linux, architecture: amd64}
            ---
            apiVersion: v1
            kind: Node
            metadata: {name: cordoned}
            spec: {unschedulable: true}
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: web, namespace: network}
            subsets:
            - addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.2}]
              ports: [{port: 80}]
            - addresses: [{ip: 10.0.0.3}]
              ports: [{port: 80}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: network}
            addressType: IPv4
            ports: [{name: http, port: 80}]
            endpoints: [{addresses: [10.0.0.1]}, {addresses: [10.0.0.2]}]
            ---
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: ip-10-0-0-1.ec2.internal, namespace: kube-node-lease}
            spec: {holderIdentity: ip-10-0-0-1.ec2.internal, leaseDurationSeconds: 40}
            """;

        var applied = await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(manifest));
        var nodes = await Kubectl.SucceedAsync("get", "no");
        var wide = await Kubectl.SucceedAsync("get", "nodes", "-o", "wide");
        var cordoned = await Kubectl.SucceedAsync("get", "nodes", "--field-selector", "spec.unschedulable=true", "-o", "name");
        var schedulable = await Kubectl.SucceedAsync("get", "nodes", "--field-selector", "spec.unschedulable=false", "-o", "name");
        var allocatable = await Kubectl.SucceedAsync("get", "node", "ip-10-0-0-1.ec2.internal", "-o", "jsonpath={.status.allocatable.memory}");
        var endpoints = await Kubectl.SucceedAsync("get", "ep", "-n", "network");
        var slices = await Kubectl.SucceedAsync("get", "endpointslices", "-n", "network");
        var leases = await Kubectl.SucceedAsync("get", "leases", "-n", "kube-node-lease");

        Assert.Contains("node/ip-10-0-0-1.ec2.internal created", applied, StringComparison.Ordinal);
        Assert.Matches(@"NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n", nodes);
        Assert.Matches(@"ip-10-0-0-1\.ec2\.internal\s+Ready\s+control-plane,worker\s+\d+s\s+v1\.32\.0", nodes);
        Assert.Matches(@"cordoned\s+Unknown,SchedulingDisabled\s+<none>\s+\d+s", nodes);
        Assert.Matches(@"INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME", wide);
        Assert.Matches(@"v1\.32\.0\s+127\.0\.10\.1\s+<none>\s+Debian GNU/Linux 12\s+6\.1\.0\s+podman://4\.3\.1", wide);
        Assert.Matches(@"cordoned\s+Unknown,SchedulingDisabled\s+<none>\s+\d+s\s+<none>\s+<none>\s+<unknown>\s+<unknown>\s+<unknown>", wide);
        Assert.Equal("node/cordoned", cordoned.Trim());
        Assert.Equal("node/ip-10-0-0-1.ec2.internal", schedulable.Trim());
        Assert.Equal("4Gi", allocatable);
        Assert.Matches(@"NAME\s+ENDPOINTS\s+AGE\n", endpoints);
        Assert.Matches(@"web\s+10\.0\.0\.1:80,10\.0\.0\.2:80,10\.0\.0\.3:80\s+\d+s", endpoints);
        Assert.Matches(@"NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n", slices);
        Assert.Matches(@"web-abc\s+IPv4\s+80\s+10\.0\.0\.1,10\.0\.0\.2\s+\d+s", slices);
        Assert.Matches(@"ip-10-0-0-1\.ec2\.internal\s+ip-10-0-0-1\.ec2\.internal\s+\d+s", leases);
    }

    [Fact]
    public async Task Endpoints_PastThree_PrintHowManyMore()
    {
        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: Endpoints
            metadata: {name: many, namespace: default}
            subsets:
            - addresses: [{ip: 10.0.0.1}, {ip: 10.0.0.2}, {ip: 10.0.0.3}, {ip: 10.0.0.4}]
              ports: [{name: http, port: 80}, {name: https, port: 443}]
            """);

        var table = await Kubectl.SucceedAsync("get", "endpoints", "many");

        Assert.Matches(@"many\s+10\.0\.0\.1:80,10\.0\.0\.2:80,10\.0\.0\.3:80 \+ 5 more\.\.\.", table);
    }

    [Fact]
    public async Task EndpointSlice_AddressType_IsRequiredCheckedAndImmutable()
    {
        var missing = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: untyped, namespace: default}
            endpoints: [{addresses: [10.0.0.1]}]
            """));
        var unsupported = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: odd, namespace: default}
            addressType: IPv5
            """));
        await Kubectl.CreateAsync("""
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: fixed, namespace: default}
            addressType: IPv4
            endpoints: [{addresses: [10.0.0.9]}]
            """);
        var changed = await Kubectl.FailAsync("patch", "endpointslice", "fixed", "--type=merge", "-p",
            """{"addressType":"IPv6","endpoints":[{"addresses":["fd00::1"]}]}""");

        Assert.Contains("addressType: Required value", missing, StringComparison.Ordinal);
        Assert.Contains("addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"", unsupported, StringComparison.Ordinal);
        Assert.Contains("addressType: Invalid value: \"IPv6\": field is immutable", changed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageKinds_AreDefaultedAndPrinted()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: storage}");
        const string manifest = """
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata:
              name: local
              annotations: {storageclass.kubernetes.io/is-default-class: "true"}
            provisioner: berth.dev/hostpath
            ---
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: slow}
            provisioner: ebs.csi.aws.com
            reclaimPolicy: Retain
            volumeBindingMode: WaitForFirstConsumer
            allowVolumeExpansion: true
            ---
            apiVersion: v1
            kind: PersistentVolume
            metadata: {name: disk-1}
            spec:
              capacity: {storage: 10Gi}
              accessModes: [ReadWriteMany, ReadWriteOnce]
              storageClassName: local
              hostPath: {path: /tmp/disk-1}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, namespace: storage}
            spec:
              accessModes: [ReadWriteOnce]
              storageClassName: local
              resources: {requests: {storage: 1Gi}}
            """;

        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(manifest));
        // the binder gives the claim the volume of its class that fits it
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "-n", "storage", "--timeout=30s");
        await Kubectl.SucceedAsync("wait", "--for=jsonpath={.status.phase}=Bound", "pv/disk-1", "--timeout=30s");
        var classes = await Kubectl.SucceedAsync("get", "sc");
        var volumes = await Kubectl.SucceedAsync("get", "pv", "-o", "wide");
        var claims = await Kubectl.SucceedAsync("get", "pvc", "-n", "storage", "-o", "wide");
        var pvDefaults = await Kubectl.SucceedAsync("get", "pv", "disk-1", "-o",
            "jsonpath={.spec.persistentVolumeReclaimPolicy} {.spec.volumeMode} {.status.phase}");
        var pvcDefaults = await Kubectl.SucceedAsync("get", "pvc", "data", "-n", "storage", "-o", "jsonpath={.spec.volumeMode} {.status.phase}");

        Assert.Matches(@"NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n", classes);
        Assert.Matches(@"local \(default\)\s+berth\.dev/hostpath\s+Delete\s+Immediate\s+false\s+\d+s", classes);
        Assert.Matches(@"slow\s+ebs\.csi\.aws\.com\s+Retain\s+WaitForFirstConsumer\s+true\s+\d+s", classes);
        Assert.Matches(@"NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\s+VOLUMEMODE\n", volumes);
        Assert.Matches(@"disk-1\s+10Gi\s+RWO,RWX\s+Retain\s+Bound\s+storage/data\s+local\s+<unset>\s+\d+s\s+Filesystem", volumes);
        Assert.Matches(@"NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\s+VOLUMEMODE\n", claims);
        Assert.Matches(@"data\s+Bound\s+disk-1\s+10Gi\s+RWO,RWX\s+local\s+<unset>\s+\d+s\s+Filesystem", claims);
        Assert.Equal("Retain Filesystem Bound", pvDefaults);
        Assert.Equal("Filesystem Bound", pvcDefaults);
    }

    [Fact]
    public async Task StorageSpecs_ThatMayNotChange_AreRefused()
    {
        await Kubectl.CreateAsync("""
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: fixed}
            provisioner: berth.dev/hostpath
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: claim, namespace: default}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
            """);
        var noProvisioner = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: nothing}
            """));

        var provisioner = await Kubectl.FailAsync("patch", "sc", "fixed", "--type=merge", "-p", """{"provisioner":"ebs.csi.aws.com"}""");
        var claim = await Kubectl.FailAsync("patch", "pvc", "claim", "--type=merge", "-p", """{"spec":{"accessModes":["ReadWriteMany"]}}""");
        var noStorage = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: sizeless, namespace: default}
            spec: {accessModes: [ReadWriteOnce]}
            """));

        Assert.Contains("provisioner: Required value", noProvisioner, StringComparison.Ordinal);
        Assert.Contains("provisioner: Forbidden: updates to provisioner are forbidden.", provisioner, StringComparison.Ordinal);
        Assert.Contains("spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
            claim, StringComparison.Ordinal);
        Assert.Contains("spec.resources[storage]: Required value", noStorage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoscalersAndDisruptionBudgets_AreDefaultedCheckedAndPrinted()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: scaling}");
        await Kubectl.CreateAsync("""
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web, namespace: scaling}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 5
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: web, namespace: scaling}
            spec:
              minAvailable: 50%
              selector: {matchLabels: {app: web}}
            """);

        var hpa = await Kubectl.SucceedAsync("get", "hpa", "-n", "scaling");
        var defaults = await Kubectl.SucceedAsync("get", "hpa", "web", "-n", "scaling", "-o",
            "jsonpath={.spec.minReplicas} {.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization}");
        var pdb = await Kubectl.SucceedAsync("get", "pdb", "-n", "scaling");
        var inverted = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: inverted, namespace: scaling}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 4
              maxReplicas: 2
            """));
        var targetless = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: targetless, namespace: scaling}
            spec: {maxReplicas: 2}
            """));
        var both = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: both, namespace: scaling}
            spec: {minAvailable: 1, maxUnavailable: 1}
            """));

        Assert.Matches(@"NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\n", hpa);
        Assert.Matches(@"web\s+Deployment/web\s+cpu: <unknown>/80%\s+1\s+5\s+0\s+\d+s", hpa);
        Assert.Equal("1 cpu 80", defaults);
        Assert.Matches(@"NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\n", pdb);
        Assert.Matches(@"web\s+50%\s+N/A\s+0\s+\d+s", pdb);
        Assert.Contains("spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`", inverted, StringComparison.Ordinal);
        Assert.Contains("spec.scaleTargetRef.kind: Required value", targetless, StringComparison.Ordinal);
        Assert.Contains("minAvailable and maxUnavailable cannot be both set", both, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PriorityClasses_BuiltInsAreThere_SystemNamesReserved_ValueFixed()
    {
        await Kubectl.CreateAsync("""
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: batch-low}
            value: 100
            """);

        var table = await Kubectl.SucceedAsync("get", "pc");
        var reserved = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: scheduling.k8s.io/v1
            kind: PriorityClass
            metadata: {name: system-mine}
            value: 10
            """));
        var changed = await Kubectl.FailAsync("patch", "pc", "batch-low", "--type=merge", "-p", """{"value":200}""");

        Assert.Matches(@"NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\n", table);
        Assert.Matches(@"system-cluster-critical\s+2000000000\s+false\s+\d+\w\s+PreemptLowerPriority", table);
        Assert.Matches(@"system-node-critical\s+2000001000\s+false\s+\d+\w\s+PreemptLowerPriority", table);
        Assert.Matches(@"batch-low\s+100\s+false\s+\d+s\s+PreemptLowerPriority", table);
        Assert.Contains("metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
            reserved, StringComparison.Ordinal);
        Assert.Contains("value: Forbidden: may not be changed in an update.", changed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventsV1_AndCoreEvents_AreOneObjectSeenTwoWays()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: news}");
        await Kubectl.CreateAsync("""
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: fresh, namespace: news}
            eventTime: "2025-01-02T03:04:05.000000Z"
            reportingController: berth.dev/scheduler
            reportingInstance: scheduler-1
            action: Binding
            reason: Scheduled
            note: assigned news/web to node-1
            type: Normal
            regarding: {kind: Pod, namespace: news, name: web}
            """);
        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: Event
            metadata: {name: old, namespace: news}
            involvedObject: {kind: Pod, namespace: news, name: web}
            reason: Pulled
            message: image pulled
            source: {component: kubelet, host: node-1}
            count: 3
            """);

        var asCore = await Kubectl.SucceedAsync("get", "events", "fresh", "-n", "news", "-o",
            "jsonpath={.apiVersion} {.message} {.involvedObject.name} {.reportingComponent} {.action}");
        var asNew = await Kubectl.SucceedAsync("get", "events.events.k8s.io", "old", "-n", "news", "-o",
            "jsonpath={.apiVersion} {.note} {.regarding.name} {.deprecatedSource.component} {.deprecatedCount}");
        var coreNames = await Kubectl.SucceedAsync("get", "events", "-n", "news", "-o", "name");
        var newNames = await Kubectl.SucceedAsync("get", "events.events.k8s.io", "-n", "news", "-o", "name");
        var table = await Kubectl.SucceedAsync("get", "events.events.k8s.io", "-n", "news");
        var selected = await Kubectl.SucceedAsync("get", "events.events.k8s.io", "-n", "news", "--field-selector", "reason=Pulled", "-o", "name");
        var timeless = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: timeless, namespace: news}
            reason: Scheduled
            type: Normal
            regarding: {kind: Pod, namespace: news, name: web}
            """));
        var unreported = await Kubectl.FailAsync("create", "-f", await Kubectl.WriteManifestAsync("""
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: unreported, namespace: news}
            eventTime: "2025-01-02T03:04:05.000000Z"
            reason: Scheduled
            type: Normal
            regarding: {kind: Pod, namespace: news, name: web}
            """));
        await Kubectl.SucceedAsync("patch", "events.events.k8s.io", "old", "-n", "news", "--type=merge", "-p", """{"metadata":{"labels":{"seen":"yes"}}}""");
        var label = await Kubectl.SucceedAsync("get", "events", "old", "-n", "news", "-o", "jsonpath={.metadata.labels.seen} {.message}");
        await Kubectl.SucceedAsync("delete", "events.events.k8s.io", "fresh", "-n", "news");
        var left = await Kubectl.SucceedAsync("get", "events", "-n", "news", "-o", "name");

        Assert.Equal("v1 assigned news/web to node-1 web berth.dev/scheduler Binding", asCore);
        Assert.Equal("events.k8s.io/v1 image pulled web kubelet 3", asNew);
        Assert.Equal(["event/fresh", "event/old"], coreNames.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["event.events.k8s.io/fresh", "event.events.k8s.io/old"], newNames.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"\d+\w*\s+Normal\s+Scheduled\s+pod/web\s+assigned news/web to node-1", table);
        Assert.Equal("event.events.k8s.io/old", selected.Trim());
        Assert.Contains("eventTime: Required value", timeless, StringComparison.Ordinal);
        Assert.Contains("reportingController: Required value", unreported, StringComparison.Ordinal);
        Assert.Contains("action: Required value", unreported, StringComparison.Ordinal);
        Assert.Equal("yes image pulled", label);
        Assert.Equal("event/old", left.Trim());
    }

    [Fact]
    public async Task EventsV1_Watch_SeesCoreEventsInItsOwnForm()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: watched-news}");
        await using var watch = Kubectl.Start("get", "events.events.k8s.io", "-n", "watched-news", "--watch", "-o",
            "custom-columns=NAME:.metadata.name,API:.apiVersion,NOTE:.note", "-v=6");
        await watch.WaitForErrorLineAsync(line => line.Contains("watch=true", StringComparison.Ordinal) && line.Contains("200 OK", StringComparison.Ordinal));

        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: Event
            metadata: {name: late, namespace: watched-news}
            involvedObject: {kind: Pod, namespace: watched-news, name: web}
            reason: Killing
            message: stopping container
            """);

        await watch.WaitForOutputLineAsync(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^late\s+events\.k8s\.io/v1\s+stopping container"));
    }

    [Fact]
    public async Task ApiResources_ListTheKinds_WithTheirShortNames()
    {
        var resources = await Kubectl.SucceedAsync("api-resources");

        Assert.Matches(@"\nnodes\s+no\s+v1\s+false\s+Node\n", resources);
        Assert.Matches(@"\nendpoints\s+ep\s+v1\s+true\s+Endpoints\n", resources);
        Assert.Matches(@"\npersistentvolumes\s+pv\s+v1\s+false\s+PersistentVolume\n", resources);
        Assert.Matches(@"\npersistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim\n", resources);
        Assert.Matches(@"\nhorizontalpodautoscalers\s+hpa\s+autoscaling/v2\s+true\s+HorizontalPodAutoscaler\n", resources);
        Assert.Matches(@"\npoddisruptionbudgets\s+pdb\s+policy/v1\s+true\s+PodDisruptionBudget\n", resources);
        Assert.Matches(@"\nendpointslices\s+discovery\.k8s\.io/v1\s+true\s+EndpointSlice\n", resources);
        Assert.Matches(@"\nleases\s+coordination\.k8s\.io/v1\s+true\s+Lease\n", resources);
        Assert.Matches(@"\nevents\s+ev\s+events\.k8s\.io/v1\s+true\s+Event\n", resources);
        Assert.Matches(@"\nstorageclasses\s+sc\s+storage\.k8s\.io/v1\s+false\s+StorageClass\n", resources);
        Assert.Matches(@"\npriorityclasses\s+pc\s+scheduling\.k8s\.io/v1\s+false\s+PriorityClass\n", resources);
    }
}
