using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Agent.Runtime;

/// <summary>
/// The pod networks: the cluster's bridge made when missing, and removed once no container is on it. On Podman the CNI
/// bridge plugin makes the bridge with a sandbox's first attachment; on Docker it is a network of the engine's.
/// </summary>
public sealed partial class DockerRuntime
{
    /// <summary>The network option naming a Docker bridge's host interface.</summary>
    private const string BridgeNameOption = "com.docker.network.bridge.name";

    public async Task EnsureNetworkAsync(PodNetworkSpec network, CancellationToken cancellationToken)
    {
        if (_pinned is not null)
        {
            return; // made with the first sandbox attached to it, as the CNI bridge plugin does
        }
        var existing = (await Call(() => _client.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken)))
            .FirstOrDefault(n => n.Name == network.Name);
        if (existing is not null)
        {
            var subnets = existing.IPAM?.Config?.Select(c => c.Subnet) ?? [];
            var bridge = existing.Options is { } options && options.TryGetValue(BridgeNameOption, out var name) ? name : null;
            if (!subnets.Contains(network.Subnet) || bridge != network.Bridge)
            {
                throw new RuntimeException($"network {network.Name} exists with the subnets {string.Join(", ", subnets)} on bridge {bridge}, not {network.Subnet} on {network.Bridge}: remove it (docker network rm {network.Name})");
            }
            return;
        }
        try
        {
            await _client.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = network.Name,
                Driver = "bridge",
                IPAM = new IPAM { Config = [new IPAMConfig { Subnet = network.Subnet, Gateway = network.Gateway }] },
                Labels = new Dictionary<string, string> { [RuntimeLabels.PodNetwork] = "true" },
                Options = new Dictionary<string, string> { [BridgeNameOption] = network.Bridge },
            }, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // made meanwhile by another agent of the machine
        }
    }

    public async Task<IReadOnlyList<string>> RemoveUnusedNetworksAsync(IReadOnlyCollection<string> networks, CancellationToken cancellationToken)
    {
        var removed = new List<string>();
        if (_pinned is not null)
        {
            foreach (var network in networks)
            {
                if (await Network.HostBridge.RemoveIfUnusedAsync(Network.PodNetwork.BridgeOf(network), cancellationToken))
                {
                    removed.Add(network);
                }
            }
            return removed;
        }
        foreach (var network in await Call(() => _client.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken)))
        {
            if (network.Labels?.ContainsKey(RuntimeLabels.PodNetwork) != true || !networks.Contains(network.Name))
            {
                continue;
            }
            // any container on it, of any node, running or not, keeps it
            var attached = await Call(() => _client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["network"] = new Dictionary<string, bool> { [network.Name] = true } },
            }, cancellationToken));
            if (attached.Count > 0)
            {
                continue;
            }
            try
            {
                await _client.Networks.DeleteNetworkAsync(network.ID, cancellationToken);
                removed.Add(network.Name);
            }
            catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.Forbidden)
            {
                // gone meanwhile, or a pod joined it meanwhile (Docker refuses to remove a network in use)
            }
        }
        return removed;
    }
}
