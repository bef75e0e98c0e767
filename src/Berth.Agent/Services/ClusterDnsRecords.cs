using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using k8s.Models;

namespace Berth.Agent.Services;

/// <summary>
/// The records of a cluster's domain, as the Kubernetes DNS specification lays them out and CoreDNS's kubernetes
/// plugin answers them: <c>&lt;svc&gt;.&lt;ns&gt;.svc.&lt;domain&gt;</c> is a Service's cluster IP (its Ready
/// endpoints' addresses when headless, a CNAME when of type ExternalName); <c>_&lt;port&gt;._&lt;proto&gt;.&lt;svc&gt;…</c>
/// are SRV records of its named ports; <c>&lt;hostname&gt;.&lt;svc&gt;…</c> is a headless Service's endpoint, by the
/// hostname its pod has (a StatefulSet's pods) or by its address with dashes; <c>&lt;a-b-c-d&gt;.&lt;ns&gt;.pod.&lt;domain&gt;</c>
/// is that address. Names outside the domain are not the cluster's: they go to the host's resolver.
/// </summary>
internal static class ClusterDnsRecords
{
    /// <summary>The records' time to live, CoreDNS's default for the cluster's names.</summary>
    public const int TimeToLive = 5;

    public enum Outcome
    {
        /// <summary>Not a name of the cluster's domain: for the upstream resolver.</summary>
        Upstream,

        /// <summary>No such name in the domain.</summary>
        NoSuchName,

        /// <summary>The name exists: these are its records of the type asked (perhaps none).</summary>
        Found,
    }

    public sealed record Answer(Outcome Outcome, IReadOnlyList<DnsRecordBase> Records, IReadOnlyList<DnsRecordBase> Additional);

    private static readonly Answer s_noSuchName = new(Outcome.NoSuchName, [], []);

    public static Answer Resolve(DomainName name, RecordType type, string domain, IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        var labels = name.Labels.Select(l => l.ToLowerInvariant()).ToArray();
        var domainLabels = domain.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (labels.Length < domainLabels.Length || !labels.AsSpan(labels.Length - domainLabels.Length).SequenceEqual(domainLabels))
        {
            return new Answer(Outcome.Upstream, [], []);
        }
        var local = labels[..^domainLabels.Length];
        return local switch
        {
            [] or ["svc"] or ["pod"] => Found([]),
            [var ns, "svc"] => services.Any(s => s.Metadata.NamespaceProperty == ns) ? Found([]) : s_noSuchName,
            [var svc, var ns, "svc"] => ServiceRecords(name, type, Find(services, ns, svc), slices),
            [var port, var protocol, var svc, var ns, "svc"] when port.StartsWith('_') && protocol.StartsWith('_') =>
                PortRecords(name, type, port[1..], protocol[1..], Find(services, ns, svc), slices, domain),
            [var endpoint, var svc, var ns, "svc"] => EndpointRecords(name, type, endpoint, Find(services, ns, svc), slices),
            [var dashed, _, "pod"] when Undash(dashed) is { } address => Found(type is RecordType.A or RecordType.Any ? [new ARecord(name, TimeToLive, address)] : []),
            _ => s_noSuchName,
        };
    }

    private static Answer Found(IReadOnlyList<DnsRecordBase> records, IReadOnlyList<DnsRecordBase>? additional = null) =>
        new(Outcome.Found, records, additional ?? []);

    private static V1Service? Find(IEnumerable<V1Service> services, string ns, string name) =>
        services.FirstOrDefault(s => s.Metadata.NamespaceProperty == ns && s.Metadata.Name == name);

    private static Answer ServiceRecords(DomainName name, RecordType type, V1Service? service, IEnumerable<V1EndpointSlice> slices)
    {
        if (service is null)
        {
            return s_noSuchName;
        }
        if (service.Spec?.Type == "ExternalName" && service.Spec.ExternalName is { Length: > 0 } external)
        {
            return Found(type is RecordType.A or RecordType.CName or RecordType.Any ? [new CNameRecord(name, TimeToLive, DomainName.Parse(external))] : []);
        }
        if (type is not (RecordType.A or RecordType.Any))
        {
            return Found([]);
        }
        return Found(IsHeadless(service)
            ? [.. Endpoints(service, slices).Select(e => new ARecord(name, TimeToLive, e.Address))]
            : [.. (service.Spec?.ClusterIPs ?? [service.Spec?.ClusterIP]).Select(ip => IPAddress.TryParse(ip, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? a : null)
                .OfType<IPAddress>().Select(a => new ARecord(name, TimeToLive, a))]);
    }

    private static Answer PortRecords(DomainName name, RecordType type, string port, string protocol, V1Service? service, IEnumerable<V1EndpointSlice> slices, string domain)
    {
        var servicePort = service?.Spec?.Ports?.FirstOrDefault(p => p.Name == port && (p.Protocol ?? "TCP").Equals(protocol, StringComparison.OrdinalIgnoreCase));
        if (service is null || servicePort is null)
        {
            return s_noSuchName;
        }
        if (type is not (RecordType.Srv or RecordType.Any))
        {
            return Found([]);
        }
        var serviceName = DomainName.Parse($"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc.{domain}");
        if (!IsHeadless(service))
        {
            return Found([new SrvRecord(name, TimeToLive, 0, 100, (ushort)servicePort.Port, serviceName)]);
        }
        var endpoints = Endpoints(service, slices).Where(e => e.Ports.TryGetValue((port, protocol.ToUpperInvariant()), out _)).ToList();
        var weight = (ushort)(endpoints.Count == 0 ? 0 : 100 / endpoints.Count);
        var targets = endpoints.Select(e => (Endpoint: e, Target: DomainName.Parse($"{e.Hostname ?? Dash(e.Address)}.{serviceName}"))).ToList();
        return Found(
            [.. targets.Select(t => new SrvRecord(name, TimeToLive, 0, weight, (ushort)t.Endpoint.Ports[(port, protocol.ToUpperInvariant())], t.Target))],
            [.. targets.Select(t => new ARecord(t.Target, TimeToLive, t.Endpoint.Address))]);
    }

    private static Answer EndpointRecords(DomainName name, RecordType type, string label, V1Service? service, IEnumerable<V1EndpointSlice> slices)
    {
        if (service is null || !IsHeadless(service))
        {
            return s_noSuchName;
        }
        var matching = Endpoints(service, slices).Where(e => e.Hostname == label || Dash(e.Address) == label).ToList();
        if (matching.Count == 0)
        {
            return s_noSuchName;
        }
        return Found(type is RecordType.A or RecordType.Any ? [.. matching.Select(e => new ARecord(name, TimeToLive, e.Address))] : []);
    }

    private sealed record Endpoint(IPAddress Address, string? Hostname, Dictionary<(string Name, string Protocol), int> Ports);

    /// <summary>A headless Service's endpoints: the Ready ones, or all of them when it publishes those not Ready.</summary>
    private static IEnumerable<Endpoint> Endpoints(V1Service service, IEnumerable<V1EndpointSlice> slices)
    {
        var all = service.Spec?.PublishNotReadyAddresses == true;
        return slices.Where(s => s.Metadata.NamespaceProperty == service.Metadata.NamespaceProperty && s.AddressType == "IPv4"
                && s.Metadata.Labels?.TryGetValue("kubernetes.io/service-name", out var owner) == true && owner == service.Metadata.Name)
            .SelectMany(s => (s.Endpoints ?? []).Where(e => all || e.Conditions?.Ready != false)
                .Select(e => (Slice: s, Endpoint: e, Address: IPAddress.TryParse(e.Addresses?.FirstOrDefault(), out var a) ? a : null)))
            .Where(e => e.Address is not null)
            .Select(e => new Endpoint(e.Address!, e.Endpoint.Hostname,
                (e.Slice.Ports ?? []).Where(p => p.Port is not null).ToDictionary(p => (p.Name ?? "", p.Protocol ?? "TCP"), p => p.Port!.Value)))
            .DistinctBy(e => e.Address);
    }

    private static bool IsHeadless(V1Service service) => service.Spec?.ClusterIP == "None";

    private static string Dash(IPAddress address) => address.ToString().Replace('.', '-');

    private static IPAddress? Undash(string label) =>
        label.Count(c => c == '-') == 3 && IPAddress.TryParse(label.Replace('-', '.'), out var address) ? address : null;
}
