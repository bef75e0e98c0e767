using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Bench;

/// <summary>A <c>berth server</c> started for the run, on free loopback ports, with clients for its Kubernetes API.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _data;

    private ServerProcess(Process process, string data, Uri kube, Uri aws)
    {
        _process = process;
        _data = data;
        KubeAddress = kube;
        AwsAddress = aws;
    }

    public Uri KubeAddress { get; }

    /// <summary>The AWS endpoint, where the registry is served too.</summary>
    public Uri AwsAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>The server's data folder, which holds the kubeconfig it writes for its default cluster.</summary>
    public string DataDirectory => _data;

    /// <summary>CPU time the server process has used so far, user and kernel.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<ServerProcess> StartAsync(string data)
    {
        var process = BerthExecutable.Start(["server", "--data-dir", data, "--port", "0", "--kube-port", "0"]);
        Uri? kube = null;
        Uri? aws = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains("Now listening on: https://", StringComparison.Ordinal))
            {
                kube = new Uri(line[(line.IndexOf("https://", StringComparison.Ordinal))..].Trim());
            }
            if (line.Contains("Now listening on: http://", StringComparison.Ordinal))
            {
                aws = new Uri(line[(line.IndexOf("http://", StringComparison.Ordinal))..].Trim());
            }
            if (line.Contains("Application started", StringComparison.Ordinal))
            {
                break;
            }
        }
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep the pipe drained
        return new ServerProcess(process, data, kube ?? throw new InvalidOperationException("berth server did not start"),
            aws ?? throw new InvalidOperationException("berth server did not start"));
    }

    /// <summary>A client of its own connection, as a separate program would have, presenting the admin certificate.</summary>
    public HttpClient CreateClient(string cluster = "default")
    {
        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_data, "pki", "ca.crt")));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(Path.Combine(_data, "pki", "admin.crt"), Path.Combine(_data, "pki", "admin.key"))];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            chain!.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            return chain.Build((X509Certificate2)certificate!);
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri(KubeAddress, $"/clusters/{cluster}/"),
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            Timeout = TimeSpan.FromMinutes(2),
        };
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
