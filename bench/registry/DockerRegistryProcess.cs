using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Berth.Bench.Registry;

/// <summary>Debian's <c>docker-registry</c> (distribution 2.8) on a free loopback port, storing on disk, the baseline.</summary>
internal sealed class DockerRegistryProcess : IAsyncDisposable
{
    private readonly Process _process;

    private DockerRegistryProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public static async Task<DockerRegistryProcess> StartAsync(string directory)
    {
        var port = FreePort();
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $$"""
            version: 0.1
            log: {level: error}
            storage:
              filesystem: {rootdirectory: {{Path.Combine(directory, "storage")}}}
              delete: {enabled: true}
            http: {addr: "127.0.0.1:{{port}}"}
            """);
        var start = new ProcessStartInfo("docker-registry") { ArgumentList = { "serve", config }, RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("docker-registry is not installed: apt-get install docker-registry", e);
        }
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var answer = await http.GetAsync(new Uri(address, "/v2/"));
                return new DockerRegistryProcess(process, address);
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
