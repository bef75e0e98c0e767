using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;

namespace Berth.Agent.Services;

/// <summary>
/// The CoreDNS role for one cluster: a DNS server on a loopback port (UDP and TCP; ARSoft.Tools.Net does the wire
/// format), to which the service proxy sends the pods' queries to the cluster DNS Service. Names of the cluster's
/// domain are answered from its objects (<see cref="ClusterDnsRecords"/>), authoritatively; other names are sent on
/// to the nameservers of the host's <c>/etc/resolv.conf</c>, as CoreDNS's <c>forward . /etc/resolv.conf</c>.
/// </summary>
internal sealed partial class ClusterDnsServer : IDisposable
{
    private const string ResolvConf = "/etc/resolv.conf";
    private const int TimeoutMilliseconds = 5000;

    private readonly ClusterObjects _objects;
    private readonly string _domain;
    private readonly DnsServer _server;
    private readonly ILogger _logger;

    private ClusterDnsServer(ClusterObjects objects, string domain, int port, ILogger logger)
    {
        (_objects, _domain, _logger, Port) = (objects, domain, logger, port);
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        _server = new DnsServer(new UdpServerTransport(endpoint, TimeoutMilliseconds), new TcpServerTransport(endpoint, TimeoutMilliseconds, TimeoutMilliseconds));
        _server.QueryReceived += OnQueryAsync;
    }

    /// <summary>The loopback port it answers on, UDP and TCP alike.</summary>
    public int Port { get; }

    /// <summary>Starts a server for the cluster's <paramref name="domain"/> on a free loopback port.</summary>
    public static ClusterDnsServer Start(ClusterObjects objects, string domain, ILogger logger)
    {
        for (var attempt = 0; ; attempt++)
        {
            // a port free for TCP now; the UDP one of the same number is almost always free too, else another is tried
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var server = new ClusterDnsServer(objects, domain, port, logger);
            try
            {
                server._server.Start();
                return server;
            }
            catch (SocketException) when (attempt < 10)
            {
                server.Dispose();
            }
        }
    }

    private async Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage { Questions.Count: 1 } query)
        {
            return; // no answer: the client retries or gives up, as with a malformed query
        }
        var question = query.Questions[0];
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        var answer = ClusterDnsRecords.Resolve(question.Name, question.RecordType, _domain, _objects.Services, _objects.Slices);
        switch (answer.Outcome)
        {
            case ClusterDnsRecords.Outcome.Upstream:
                await ForwardAsync(query, response);
                break;
            case ClusterDnsRecords.Outcome.NoSuchName:
                response.IsAuthoritiveAnswer = true;
                response.ReturnCode = ReturnCode.NxDomain;
                break;
            default:
                response.IsAuthoritiveAnswer = true;
                response.AnswerRecords.AddRange(answer.Records);
                response.AdditionalRecords.AddRange(answer.Additional);
                break;
        }
        e.Response = response;
    }

    private async Task ForwardAsync(DnsMessage query, DnsMessage response)
    {
        var upstreams = Upstreams();
        if (upstreams.Count == 0)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            return;
        }
        var forwarded = new DnsMessage { IsRecursionDesired = query.IsRecursionDesired };
        forwarded.Questions.AddRange(query.Questions);
        var client = new DnsClient(upstreams, TimeoutMilliseconds);
        var answer = await client.SendMessageAsync(forwarded);
        if (answer is null)
        {
            LogUpstreamSilent(_logger, query.Questions[0].Name.ToString(), string.Join(", ", upstreams));
            response.ReturnCode = ReturnCode.ServerFailure;
            return;
        }
        response.ReturnCode = answer.ReturnCode;
        response.AnswerRecords.AddRange(answer.AnswerRecords);
        response.AuthorityRecords.AddRange(answer.AuthorityRecords);
        response.AdditionalRecords.AddRange(answer.AdditionalRecords.Where(r => r.RecordType != RecordType.Opt));
    }

    /// <summary>The host's nameservers, read at each query as a resolver does (the file may change).</summary>
    private static List<IPAddress> Upstreams()
    {
        if (!File.Exists(ResolvConf))
        {
            return [];
        }
        return [.. File.ReadLines(ResolvConf).Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 2 && f[0] == "nameserver").Select(f => IPAddress.TryParse(f[1], out var a) ? a : null).OfType<IPAddress>()];
    }

    public void Dispose() => _server.Stop();

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "No answer for {Name} from the host's nameservers {Upstreams}")]
    private static partial void LogUpstreamSilent(ILogger logger, string name, string upstreams);
}
