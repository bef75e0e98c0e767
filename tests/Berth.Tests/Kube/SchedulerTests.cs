using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Berth.Tests.Kube;

/// <summary>
/// The scheduler places pods created with kubectl on nodes through the binding subresource, spreads them, keeps
/// them off cordoned, tainted and full nodes with kube-scheduler's message, and places a waiting pod once a node
/// with room joins.
/// </summary>
public sealed class SchedulerTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    private static readonly string[] s_web = ["web-1", "web-2", "web-3", "web-4"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Node(string name, string cpu, string extra = "") => $$$"""
        apiVersion: v1
        kind: Node
        metadata: {name: {{{name}}}, labels: {kubernetes.io/hostname: {{{name}}}}}
        {{{extra}}}
        status:
          conditions: [{type: Ready, status: "True"}]
          capacity: {cpu: "{{{cpu}}}", memory: 4Gi, pods: "110"}
          allocatable: {cpu: "{{{cpu}}}", memory: 4Gi, pods: "110"}
        ---

        """;

    private static string Pod(string name, string cpu = "100m", string extra = "") => $$$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: {{{name}}}, namespace: placement}
        spec:
          {{{extra}}}
          containers:
          - name: app
            image: busybox
            resources: {requests: {cpu: "{{{cpu}}}"}}
        ---

        """;

    [Fact]
    public async Task Pods_AreSpreadOverFitNodes_AndWaitWithKubeSchedulersMessageWhenNoneFits()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: placement}");
        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(
            Node("worker-a", "2") + Node("worker-b", "2")
            + Node("cordoned", "8", "spec: {unschedulable: true}")
            + Node("gpu", "8", "spec: {taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}")));

        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(
            Pod("web-1") + Pod("web-2") + Pod("web-3") + Pod("web-4")
            + Pod("trainer", extra: "tolerations: [{key: dedicated, operator: Exists}]\n  nodeSelector: {kubernetes.io/hostname: gpu}")
            + Pod("big", cpu: "3")));

        foreach (var pod in s_web.Append("trainer"))
        {
            await Kubectl.SucceedAsync("wait", "-n", "placement", "--for=condition=PodScheduled", $"pod/{pod}", "--timeout=30s");
        }
        var placed = (await Kubectl.SucceedAsync("get", "pods", "-n", "placement", "-o",
            "jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}{\"\\n\"}{end}")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("gpu", placed["trainer"]);
        var web = s_web.Select(p => placed[p]).ToList();
        Assert.All(web, node => Assert.True(node is "worker-a" or "worker-b", node));
        Assert.Equal(2, web.Count(n => n == "worker-a")); // equal requests on equal nodes: two each
        Assert.Equal("", placed["big"]);

        await Kubectl.SucceedAsync("wait", "-n", "placement", "--for=condition=PodScheduled=false", "pod/big", "--timeout=30s");
        // the web pods are of the same priority: preemption finds no victims on the full nodes, and cannot help on the others
        const string Expected = "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable, 2 Insufficient cpu. "
            + "preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.";
        var message = await Kubectl.SucceedAsync("get", "pod", "big", "-n", "placement", "-o",
            "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].reason}: {.status.conditions[?(@.type==\"PodScheduled\")].message}");
        Assert.Equal($"Unschedulable: {Expected}", message);
        var events = await Kubectl.SucceedAsync("get", "events", "-n", "placement", "--field-selector", "reason=FailedScheduling", "-o", "jsonpath={.items[*].message}");
        Assert.Contains(Expected, events, StringComparison.Ordinal);
        var scheduled = await Kubectl.SucceedAsync("get", "events", "-n", "placement", "--field-selector", "reason=Scheduled,involvedObject.name=trainer", "-o", "jsonpath={.items[*].message}");
        Assert.Equal("Successfully assigned placement/trainer to gpu", scheduled);

        await Kubectl.SucceedAsync("apply", "-f", await Kubectl.WriteManifestAsync(Node("worker-c", "4")));
        await Kubectl.SucceedAsync("wait", "-n", "placement", "--for=jsonpath={.spec.nodeName}=worker-c", "pod/big", "--timeout=30s");
    }

    [Fact]
    public async Task Binding_AssignsAPodOnce_ThenConflicts()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: binding}");
        // a pod for another scheduler, so only the test binds it
        await Kubectl.CreateAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: manual, namespace: binding}
            spec: {schedulerName: my-scheduler, containers: [{name: app, image: busybox}]}
            """);
        using var http = fixture.CreateAdminClient();
        JsonObject Binding(string node) => new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Binding",
            ["metadata"] = new JsonObject { ["name"] = "manual", ["annotations"] = new JsonObject { ["placed-by"] = "test" } },
            ["target"] = new JsonObject { ["kind"] = "Node", ["name"] = node },
        };

        var first = await http.PostAsJsonAsync("api/v1/namespaces/binding/pods/manual/binding", Binding("elsewhere"), Ct);
        var second = await http.PostAsJsonAsync("api/v1/namespaces/binding/pods/manual/binding", Binding("another"), Ct);
        var wrongName = await http.PostAsJsonAsync("api/v1/namespaces/binding/pods/other/binding", Binding("another"), Ct);
        var noTarget = await http.PostAsJsonAsync("api/v1/namespaces/binding/pods/manual/binding",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Binding", ["metadata"] = new JsonObject { ["name"] = "manual" }, ["target"] = new JsonObject() }, Ct);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("Success", (await first.Content.ReadFromJsonAsync<JsonObject>(Ct))!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("Operation cannot be fulfilled on pods/binding \"manual\": pod manual is already assigned to node \"elsewhere\"",
            (await second.Content.ReadFromJsonAsync<JsonObject>(Ct))!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, wrongName.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noTarget.StatusCode);
        var pod = await Kubectl.SucceedAsync("get", "pod", "manual", "-n", "binding", "-o",
            "jsonpath={.spec.nodeName} {.metadata.annotations.placed-by} {.status.conditions[?(@.type==\"PodScheduled\")].status}");
        Assert.Equal("elsewhere test True", pod);
        var resources = await Kubectl.SucceedAsync("api-resources", "--api-group=", "-o", "name");
        Assert.DoesNotContain("pods/binding", resources, StringComparison.Ordinal); // subresources are not listed by name
        var discovery = await http.GetFromJsonAsync<JsonObject>("api/v1", Ct);
        Assert.Contains(discovery!["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "pods/binding"
            && r["kind"]!.GetValue<string>() == "Binding" && r["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).SequenceEqual(["create"]));
    }
}
