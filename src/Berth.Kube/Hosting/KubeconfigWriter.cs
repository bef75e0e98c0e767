using Berth.Kube.Pki;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Hosting;

/// <summary>Once the server listens, writes <c>kubeconfig</c> into the data folder with the API's actual address.</summary>
internal sealed partial class KubeconfigWriter(
    KubeApiOptions options,
    ClusterPki pki,
    ClusterEndpoints endpoints,
    IHostApplicationLifetime lifetime,
    ILogger<KubeconfigWriter> logger) : IHostedService
{
    public string Path => System.IO.Path.Combine(options.DataDirectory, "kubeconfig");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Write);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Write()
    {
        if (endpoints.Listener is not { } address)
        {
            return;
        }
        PrivateFile.Write(Path, KubeconfigFile.Render(KubeApiOptions.DefaultCluster, address, pki)); // it holds the admin's key
        LogWritten(logger, Path, address);
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Kubeconfig written to {Path} for {Address}")]
    private static partial void LogWritten(ILogger logger, string path, Uri address);
}
