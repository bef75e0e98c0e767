using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Berth.Agent.Services;
using k8s.Models;

namespace Berth.Agent.Tests;

/// <summary>The cluster DNS's records, as the Kubernetes DNS specification names them, from Services and EndpointSlices.</summary>
public sealed class ClusterDnsRecordsTests
{
    private static readonly V1Service[] s_services =
    [
        Service("web", "10.100.3.4", new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }),
        Service("db", "None", new V1ServicePort { Name = "mysql", Port = 3306, Protocol = "TCP" }),
        new() { Metadata = new V1ObjectMeta { Name = "search", NamespaceProperty = "default" }, Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "search.example.com" } },
    ];

    private static readonly V1EndpointSlice[] s_slices =
    [
        new()
        {
            Metadata = new V1ObjectMeta { Name = "db-x", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "db" } },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = "mysql", Port = 3306, Protocol = "TCP" }],
            Endpoints =
            [
                new V1Endpoint { Addresses = ["10.130.1.5"], Hostname = "db-0", Conditions = new V1EndpointConditions { Ready = true } },
                new V1Endpoint { Addresses = ["10.130.2.6"], Hostname = "db-1", Conditions = new V1EndpointConditions { Ready = true } },
                new V1Endpoint { Addresses = ["10.130.2.7"], Hostname = "db-2", Conditions = new V1EndpointConditions { Ready = false } },
            ],
        },
    ];

    private static V1Service Service(string name, string clusterIp, V1ServicePort port) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1ServiceSpec { ClusterIP = clusterIp, ClusterIPs = [clusterIp], Ports = [port] },
    };

    private static ClusterDnsRecords.Answer Resolve(string name, RecordType type = RecordType.A) =>
        ClusterDnsRecords.Resolve(DomainName.Parse(name), type, "cluster.local", s_services, s_slices);

    private static string[] Addresses(ClusterDnsRecords.Answer answer) => [.. answer.Records.OfType<ARecord>().Select(r => r.Address.ToString()).Order()];

    [Fact]
    public void AService_IsItsClusterIp()
    {
        var answer = Resolve("web.default.svc.cluster.local");
        Assert.Equal(ClusterDnsRecords.Outcome.Found, answer.Outcome);
        Assert.Equal(["10.100.3.4"], Addresses(answer));
        Assert.All(answer.Records, r => Assert.Equal(ClusterDnsRecords.TimeToLive, r.TimeToLive));
        // another type of a name that exists: no records, not an error
        Assert.Equal((ClusterDnsRecords.Outcome.Found, 0), (Resolve("web.default.svc.cluster.local", RecordType.Aaaa).Outcome, Resolve("web.default.svc.cluster.local", RecordType.Aaaa).Records.Count));
    }

    [Fact]
    public void AHeadlessService_IsItsReadyEndpoints_ByNameAndEachByHostname()
    {
        Assert.Equal(["10.130.1.5", "10.130.2.6"], Addresses(Resolve("db.default.svc.cluster.local")));
        Assert.Equal(["10.130.2.6"], Addresses(Resolve("db-1.db.default.svc.cluster.local")));
        Assert.Equal(["10.130.1.5"], Addresses(Resolve("10-130-1-5.db.default.svc.cluster.local")));
        Assert.Equal(ClusterDnsRecords.Outcome.NoSuchName, Resolve("db-2.db.default.svc.cluster.local").Outcome); // not Ready
    }

    [Fact]
    public void NamedPorts_AreSrvRecords()
    {
        var clusterIp = Assert.Single(Resolve("_http._tcp.web.default.svc.cluster.local", RecordType.Srv).Records.OfType<SrvRecord>());
        Assert.Equal((80, "web.default.svc.cluster.local."), (clusterIp.Port, clusterIp.Target.ToString()));
        var headless = Resolve("_mysql._tcp.db.default.svc.cluster.local", RecordType.Srv);
        Assert.Equal(["db-0.db.default.svc.cluster.local.", "db-1.db.default.svc.cluster.local."],
            headless.Records.OfType<SrvRecord>().Select(r => r.Target.ToString()).Order());
        Assert.All(headless.Records.OfType<SrvRecord>(), r => Assert.Equal(3306, r.Port));
        Assert.Equal(2, headless.Additional.Count);
        Assert.Equal(ClusterDnsRecords.Outcome.NoSuchName, Resolve("_nope._tcp.web.default.svc.cluster.local", RecordType.Srv).Outcome);
    }

    [Fact]
    public void ExternalNamesPodsAndOtherNames()
    {
        var cname = Assert.Single(Resolve("search.default.svc.cluster.local").Records.OfType<CNameRecord>());
        Assert.Equal("search.example.com.", cname.CanonicalName.ToString());
        Assert.Equal(["10.130.9.9"], Addresses(Resolve("10-130-9-9.default.pod.cluster.local")));
        Assert.Equal(ClusterDnsRecords.Outcome.NoSuchName, Resolve("missing.default.svc.cluster.local").Outcome);
        Assert.Equal(ClusterDnsRecords.Outcome.NoSuchName, Resolve("web.other.svc.cluster.local").Outcome);
        Assert.Equal(ClusterDnsRecords.Outcome.Upstream, Resolve("deb.debian.org").Outcome);
        Assert.Equal(ClusterDnsRecords.Outcome.Found, Resolve("WEB.Default.SVC.cluster.local").Outcome); // names are case-insensitive
    }
}
