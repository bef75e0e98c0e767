using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Microsoft.Extensions.Hosting;

namespace Berth.Kube.Hosting;

/// <summary>Creates the namespaces every Kubernetes cluster starts with, where they are missing.</summary>
internal sealed class ClusterBootstrap(ResourceHandler resources, ResourceRegistry registry) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var namespaces = registry.Find("", "v1", "namespaces")!;
        foreach (var name in NamespaceStrategy.SystemNamespaces)
        {
            try
            {
                var obj = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Namespace",
                    ["metadata"] = new JsonObject { ["name"] = name },
                };
                await resources.CreateObjectAsync(KubeApiOptions.DefaultCluster, namespaces, null, obj, dryRun: false, cancellationToken);
            }
            catch (KubeApiException e) when (e.Reason == "AlreadyExists")
            {
                // made at an earlier start
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
