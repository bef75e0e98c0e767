using System.Globalization;
using System.Net.Sockets;
using Berth.Agent.Runtime;
using k8s.Models;

namespace Berth.Agent.Probes;

/// <summary>The outcome of one probe: success, or failure with what the kubelet would put in the Unhealthy event.</summary>
internal readonly record struct ProbeResult(bool Success, string? Message)
{
    public static readonly ProbeResult Ok = new(true, null);

    public static ProbeResult Fail(string message) => new(false, message);
}

/// <summary>Runs one probe against a container, as the kubelet's prober: exec in the container, HTTP GET, or a TCP connect to the pod.</summary>
internal sealed class Prober(IContainerRuntime runtime, HttpClient http)
{
    public async Task<ProbeResult> ProbeAsync(V1Probe probe, V1Container container, string containerId, string? podIp, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            if (probe.Exec is { } exec)
            {
                var result = await runtime.ExecAsync(containerId, [.. exec.Command ?? []], timeout, deadline.Token);
                return result.ExitCode == 0 ? ProbeResult.Ok
                    : ProbeResult.Fail($"command {string.Join(' ', exec.Command ?? [])} exited with {result.ExitCode}: {result.Output.Trim()}");
            }
            if (probe.HttpGet is { } httpGet)
            {
                var port = Port(httpGet.Port, container);
                var host = string.IsNullOrEmpty(httpGet.Host) ? podIp : httpGet.Host;
                var path = string.IsNullOrEmpty(httpGet.Path) ? "/" : httpGet.Path.StartsWith('/') ? httpGet.Path : "/" + httpGet.Path;
                var url = $"{(httpGet.Scheme ?? "HTTP").ToLowerInvariant()}://{host}:{port}{path}";
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.UserAgent.ParseAdd("kube-probe/1.32");
                foreach (var header in httpGet.HttpHeaders ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                }
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var code = (int)response.StatusCode;
                return code is >= 200 and < 400 ? ProbeResult.Ok : ProbeResult.Fail($"HTTP probe failed with statuscode: {code}");
            }
            if (probe.TcpSocket is { } tcp)
            {
                var port = Port(tcp.Port, container);
                var host = string.IsNullOrEmpty(tcp.Host) ? podIp : tcp.Host;
                using var socket = new TcpClient();
                await socket.ConnectAsync(host ?? "", port, deadline.Token);
                return ProbeResult.Ok;
            }
            return ProbeResult.Fail("the probe's handler is not supported by this node (supported: exec, httpGet, tcpSocket)");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"probe timed out after {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // whatever went wrong (no answer, no address yet, a bad URL) is the probe's failure, never the prober's
            return ProbeResult.Fail(e.Message);
        }
    }

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    private static int Port(IntOrString port, V1Container container)
    {
        if (int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }
        return container.Ports?.FirstOrDefault(p => p.Name == port.Value)?.ContainerPort
            ?? throw new RuntimeException($"no port named \"{port.Value}\" in container \"{container.Name}\"");
    }
}
