using System.Text.Json.Nodes;
using Berth.Kube.Scheduling;

namespace Berth.Kube.Tests.Scheduling;

public sealed class VolumeBindingTests
{
    private static readonly JsonObject s_pod = JsonNode.Parse("""
        {"metadata": {"name": "web", "namespace": "shop"},
         "spec": {"volumes": [{"name": "cache", "emptyDir": {}}, {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}}
        """)!.AsObject();

    private static JsonObject Claim(string? volumeName = null, string? className = null, bool bindCompleted = true, string? phase = null, bool deleting = false)
    {
        var claim = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "data", ["namespace"] = "shop", ["annotations"] = new JsonObject() },
            ["spec"] = new JsonObject { ["volumeName"] = volumeName, ["storageClassName"] = className },
            ["status"] = new JsonObject { ["phase"] = phase ?? (volumeName is null ? "Pending" : "Bound") },
        };
        if (bindCompleted && volumeName is not null)
        {
            claim["metadata"]!["annotations"]!["pv.kubernetes.io/bind-completed"] = "yes";
        }
        if (deleting)
        {
            claim["metadata"]!["deletionTimestamp"] = "2026-01-01T00:00:00Z";
        }
        return claim;
    }

    private static string? PreFilter(JsonObject? claim, string? bindingMode = null) =>
        VolumeBinding.PreFilter(s_pod, (ns, name) => ns == "shop" && name == "data" ? claim : null,
            name => bindingMode is null ? null : new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["volumeBindingMode"] = bindingMode });

    [Fact]
    public void BoundClaim_LetsThePodThrough() => Assert.Null(PreFilter(Claim(volumeName: "pv-1")));

    [Fact]
    public void MissingClaim_IsNamed() => Assert.Equal("persistentvolumeclaim \"data\" not found", PreFilter(null));

    [Fact]
    public void UnboundClaimOfAnImmediateClass_HoldsThePod()
    {
        Assert.Equal(VolumeBinding.UnboundImmediate, PreFilter(Claim(className: "local-path"), "Immediate"));
        Assert.Equal(VolumeBinding.UnboundImmediate, PreFilter(Claim(volumeName: "pv-1", bindCompleted: false))); // binding not yet completed
    }

    [Fact]
    public void UnboundClaimOfAWaitForFirstConsumerClass_LetsThePodThrough() =>
        Assert.Null(PreFilter(Claim(className: "late"), "WaitForFirstConsumer"));

    [Fact]
    public void LostOrDeletedClaims_AreNamed()
    {
        Assert.Equal("persistentvolumeclaim \"data\" bound to non-existent persistentvolume \"pv-9\"", PreFilter(Claim(volumeName: "pv-9", phase: "Lost")));
        Assert.Equal("persistentvolumeclaim \"data\" is being deleted", PreFilter(Claim(volumeName: "pv-1", deleting: true)));
    }

    [Fact]
    public void EphemeralVolume_WaitsForItsClaim()
    {
        var pod = JsonNode.Parse("""{"metadata": {"name": "web", "namespace": "shop"}, "spec": {"volumes": [{"name": "scratch", "ephemeral": {}}]}}""")!.AsObject();
        Assert.Equal("waiting for ephemeral volume controller to create the persistentvolumeclaim \"web-scratch\"",
            VolumeBinding.PreFilter(pod, (_, _) => null, _ => null));
    }

    [Fact]
    public void RejectedPlacement_NamesTheReasonOnce() =>
        Assert.Equal("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.", Placement.Rejected(3, VolumeBinding.UnboundImmediate).Failure);
}
