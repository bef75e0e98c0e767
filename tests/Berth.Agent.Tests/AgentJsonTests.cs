using System.Text.Json;
using Berth.Agent.Client;
using k8s.Models;

namespace Berth.Agent.Tests;

/// <summary>The agent's own serializer writes and reads the API's objects as the API server does.</summary>
public sealed class AgentJsonTests
{
    [Fact]
    public void APod_RoundTrips_WithItsQuantitiesPortsAndTimes()
    {
        const string json = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","creationTimestamp":"2026-03-01T10:20:30Z",
             "labels":{"app":"web"}},
             "spec":{"containers":[{"name":"web","image":"busybox","resources":{"limits":{"cpu":"500m","memory":"64Mi"}},
               "livenessProbe":{"httpGet":{"path":"/","port":"http"}},"readinessProbe":{"tcpSocket":{"port":8080}}}]},
             "status":{"phase":"Running","startTime":"2026-03-01T10:20:31.123456789Z"}}
            """;
        var pod = JsonSerializer.Deserialize(json, AgentJson.Default.V1Pod)!;
        var container = pod.Spec.Containers[0];
        Assert.Equal("500m", container.Resources.Limits["cpu"].ToString());
        Assert.Equal(64L * 1024 * 1024, container.Resources.Limits["memory"].ToInt64());
        Assert.Equal("http", container.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal("8080", container.ReadinessProbe.TcpSocket.Port.Value);
        Assert.Equal(new DateTime(2026, 3, 1, 10, 20, 30, DateTimeKind.Utc), pod.Metadata.CreationTimestamp);
        Assert.Equal(DateTimeKind.Utc, pod.Metadata.CreationTimestamp!.Value.Kind);
        // nanoseconds are read to the tick .NET keeps
        Assert.Equal(new DateTime(2026, 3, 1, 10, 20, 31, DateTimeKind.Utc).AddTicks(1_234_567), pod.Status.StartTime);

        var written = JsonSerializer.Serialize(pod, AgentJson.Default.V1Pod);
        Assert.Contains("\"creationTimestamp\":\"2026-03-01T10:20:30.000000Z\"", written, StringComparison.Ordinal);
        Assert.Contains("\"port\":\"http\"", written, StringComparison.Ordinal);
        Assert.Contains("\"port\":8080", written, StringComparison.Ordinal);
        Assert.Contains("\"memory\":\"64Mi\"", written, StringComparison.Ordinal);
    }

    [Fact]
    public void AMergePatch_CarriesOnlyTheFieldsItSets()
    {
        var patch = new V1Pod { Status = new V1PodStatus { Phase = "Running" } };
        Assert.Equal("""{"status":{"phase":"Running"}}""", JsonSerializer.Serialize(patch, AgentJson.Default.V1Pod));
    }

    [Fact]
    public void ATimeThatIsNotRfc3339_IsAnError_NotAGuess()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"lastTimestamp":"yesterday"}""", AgentJson.Default.Corev1Event));
    }

    [Fact]
    public void Paths_NameTheNamespaceWhereTheResourceHasOne()
    {
        Assert.Equal("api/v1/pods", ApiResources.Pods.CollectionPath);
        Assert.Equal("api/v1/namespaces/shop/pods/web/status", ApiResources.Pods.ObjectPath("shop", "web", "status"));
        Assert.Equal("api/v1/nodes/n1", ApiResources.Nodes.ObjectPath(null, "n1"));
        Assert.Equal("apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1", ApiResources.Leases.ObjectPath("kube-node-lease", "n1"));
        Assert.Throws<ArgumentException>(() => ApiResources.Pods.ObjectPath(null, "web"));
    }
}
