using Berth.Agent.Client;
using Berth.Agent.Pods;
using Berth.Agent.Probes;
using Berth.Agent.Runtime;
using Berth.Agent.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Agent;

/// <summary>The <c>berth agent</c> process: the agent's parts, put together on a host.</summary>
public static class AgentHost
{
    /// <summary>Runs an agent until <paramref name="cancellationToken"/> stops it.</summary>
    public static async Task RunAsync(AgentOptions options, CancellationToken cancellationToken)
    {
        // the node's folder, there from its first start to its tear-down: how the data folder knows its nodes (berth down)
        Directory.CreateDirectory(options.RootDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            console.UseUtcTimestamp = true;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        using var client = ApiClient.FromKubeconfig(options.KubeconfigPath);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton<IContainerRuntime>(services => options.Runtime switch
        {
            "simulated" => ActivatorUtilities.CreateInstance<SimulatedRuntime>(services),
            "podman" or "docker" => ActivatorUtilities.CreateInstance<DockerRuntime>(services),
            _ => throw new ArgumentException($"unknown runtime \"{options.Runtime}\"; the runtimes are: podman, docker, simulated"),
        });
        builder.Services.AddSingleton<Network.PodNetwork>();
        builder.Services.AddSingleton<Services.ServiceProxy>();
        builder.Services.AddSingleton<Services.ClusterServices>();
        builder.Services.AddSingleton<PodVolumes>();
        // probes and hooks: an HTTPS endpoint's certificate is not checked, as the kubelet does not check it
#pragma warning disable CA5359 // a pod's self-signed certificate must not fail its probe
        builder.Services.AddSingleton(_ => new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = delegate { return true; } },
        })
        { Timeout = Timeout.InfiniteTimeSpan });
#pragma warning restore CA5359
        builder.Services.AddSingleton<Prober>();
        builder.Services.AddSingleton<ProbeManager>();
        builder.Services.AddSingleton<PodEvents>();
        builder.Services.AddSingleton<PodRunner>();
        builder.Services.AddSingleton<PodSync>();
        builder.Services.AddSingleton<ContainerTargets>();
        builder.Services.AddSingleton<RequestAuthorizer>();
        builder.Services.AddSingleton<ContainerLogEndpoint>();
        builder.Services.AddSingleton<ExecEndpoint>();
        builder.Services.AddSingleton<PortForwardEndpoint>();
        builder.Services.AddSingleton<Stats.ResourceUsage>();
        builder.Services.AddSingleton<Stats.StatsEndpoint>();
        builder.Services.AddHostedService<NodeAgent>();
        builder.Services.AddHostedService<MemoryReturn>();
        using var serving = ServingCertificate.Create(options, TimeProvider.System);
        builder.WebHost.ConfigureKestrel(kestrel => AgentEndpoint.Listen(kestrel, options, serving, client.ClusterAuthorities));
        await using var app = builder.Build();
        AgentEndpoint.Map(app);
        await app.RunAsync(cancellationToken);
    }

    /// <summary>
    /// Removes every container and sandbox the node's pods left in the runtime, and the node's files: what the end
    /// of the node's machine does, for an instance that is terminated whether its agent stopped cleanly or not.
    /// </summary>
    public static async Task TearDownAsync(AgentOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        if (options.ManagedPodmanDirectory is { } directory)
        {
            await PodmanService.EnsureAsync(directory, logger, cancellationToken);
        }
        if (options.Runtime == "simulated")
        {
            DeleteRoot(options);
            return; // its pods lived in the agent's memory only
        }
        var runtime = new DockerRuntime(options);
        try
        {
            await runtime.ConnectAsync(cancellationToken);
            var containers = await runtime.ListContainersAsync(null, cancellationToken);
            // only running ones: the engine refuses to stop one in any other state ("container state improper")
            await Task.WhenAll(containers.Where(c => c.State == ContainerState.Running)
                .Select(c => runtime.StopContainerAsync(c.Id, TimeSpan.FromSeconds(2), cancellationToken)));
            foreach (var container in containers)
            {
                await runtime.RemoveContainerAsync(container.Id, cancellationToken);
            }
            var sandboxes = await runtime.ListSandboxesAsync(null, cancellationToken);
            foreach (var sandbox in sandboxes)
            {
                await runtime.StopSandboxAsync(sandbox.Id, cancellationToken);
                await runtime.RemoveSandboxAsync(sandbox.Id, cancellationToken);
            }
            // the last node of its cluster here takes the bridge with it, and the cluster's service rules
            var joined = sandboxes.Select(s => s.Network).Append(Network.PodNetwork.Joined(options)).OfType<string>()
                .Where(Network.PodNetwork.IsPodNetwork).ToHashSet(StringComparer.Ordinal);
            foreach (var network in await runtime.RemoveUnusedNetworksAsync(joined, cancellationToken))
            {
                await Services.ClusterServices.RemoveRulesIfLastAsync(Network.PodNetwork.BridgeOf(network), cancellationToken);
            }
        }
        finally
        {
            runtime.Dispose();
        }
        DeleteRoot(options);
    }

    private static void DeleteRoot(AgentOptions options)
    {
        if (Directory.Exists(options.RootDirectory))
        {
            Directory.Delete(options.RootDirectory, recursive: true);
        }
    }
}
