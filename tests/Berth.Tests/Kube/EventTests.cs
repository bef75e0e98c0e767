namespace Berth.Tests.Kube;

/// <summary>Events: listed as kubectl lists them, selected by the object they are about, shown by describe.</summary>
public sealed class EventTests(KubeServerFixture fixture) : IClassFixture<KubeServerFixture>
{
    private Kubectl Kubectl => fixture.Kubectl;

    [Fact]
    public async Task Event_IsListed_Selected_AndDescribedWithItsObject()
    {
        await Kubectl.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: events}");
        await Kubectl.CreateAsync("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched, namespace: events}");
        var uid = await Kubectl.SucceedAsync("get", "configmap", "watched", "-n", "events", "-o", "jsonpath={.metadata.uid}");
        await Kubectl.CreateAsync($$"""
            apiVersion: v1
            kind: Event
            metadata: {name: watched.1, namespace: events}
            involvedObject: {apiVersion: v1, kind: ConfigMap, name: watched, namespace: events, uid: "{{uid}}"}
            reason: Checked
            message: the settings were read
            type: Normal
            source: {component: auditor}
            count: 2
            firstTimestamp: "{{DateTime.UtcNow.AddMinutes(-3):yyyy-MM-ddTHH:mm:ssZ}}"
            lastTimestamp: "{{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}}"
            """);

        var table = await Kubectl.SucceedAsync("get", "events", "-n", "events");
        var selected = await Kubectl.SucceedAsync("get", "events", "-n", "events", "--field-selector", "involvedObject.name=watched,reason=Checked", "-o", "name");
        var none = await Kubectl.SucceedAsync("get", "events", "-n", "events", "--field-selector", "involvedObject.name=other", "-o", "name");
        var described = await Kubectl.SucceedAsync("describe", "configmap", "watched", "-n", "events");
        var unsupported = await Kubectl.FailAsync("get", "events", "-n", "events", "--field-selector", "spec.nothing=x");

        Assert.Matches(@"LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE", table);
        Assert.Matches(@"\d+s\s+Normal\s+Checked\s+configmap/watched\s+the settings were read", table);
        Assert.Equal("event/watched.1", selected.Trim());
        Assert.Equal("", none.Trim());
        Assert.Matches(@"Normal\s+Checked\s+\d+s\s+\(x2 over 3m\d*s?\)\s+auditor\s+the settings were read", described);
        Assert.Contains("field label not supported: spec.nothing", unsupported, StringComparison.Ordinal);
    }
}
