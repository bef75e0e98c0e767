using Docker.DotNet.Models;

namespace Berth.Agent.Runtime;

/// <summary>
/// Pod sandboxes: on Podman the namespaces the agent pins (<see cref="PinnedSandboxes"/>), which the pod's containers
/// join by path, so that a pod is one container for the engine to make; on Docker, which joins no namespace by path,
/// an infra container (the pause image) holding them, whose namespaces the pod's containers join.
/// </summary>
public sealed partial class DockerRuntime
{
    public async Task<SandboxStatus> RunSandboxAsync(SandboxConfig config, CancellationToken cancellationToken)
    {
        var sandbox = _pinned is not null ? await _pinned.RunAsync(config, cancellationToken) : await RunInfraContainerAsync(config, cancellationToken);
        if (config.Network is { } joined)
        {
            Network.HostBridge.Prepare(joined.Network.Bridge);
        }
        return sandbox;
    }

    public Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        _pinned?.StopAsync(sandboxId, cancellationToken) ?? StopContainerAsync(sandboxId, TimeSpan.Zero, cancellationToken);

    public Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken) =>
        _pinned?.RemoveAsync(sandboxId, cancellationToken) ?? RemoveAsync(sandboxId, cancellationToken);

    public async Task<IReadOnlyList<SandboxStatus>> ListSandboxesAsync(string? podUid, CancellationToken cancellationToken)
    {
        if (_pinned is not null)
        {
            return _pinned.List(podUid);
        }
        var listed = await ListAsync(RuntimeLabels.SandboxType, podUid, cancellationToken);
        return [.. listed.Select(c => new SandboxStatus(c.ID, c.Labels![RuntimeLabels.PodUid], RuntimeLabels.AttemptOf(c.Labels), c.State == "running",
            c.NetworkSettings?.Networks?.Values.Select(n => n.IPAddress).FirstOrDefault(ip => !string.IsNullOrEmpty(ip)),
            new DateTimeOffset(DateTime.SpecifyKind(c.Created, DateTimeKind.Utc)), c.NetworkSettings?.Networks?.Keys.FirstOrDefault()))];
    }

    /// <summary>How a container of the sandbox joins its namespaces.</summary>
    private SandboxJoin JoinOf(string sandboxId) =>
        _pinned?.Join(sandboxId) ?? new SandboxJoin("container:" + sandboxId, "container:" + sandboxId, "container:" + sandboxId, []);

    /// <summary>The infra container: the pause image on the pod's network (the engine's default one for a host-network pod), with its resolv.conf.</summary>
    private async Task<SandboxStatus> RunInfraContainerAsync(SandboxConfig config, CancellationToken cancellationToken)
    {
        var host = new HostConfig { IpcMode = "shareable", RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No } };
        if (config.Dns is { } dns)
        {
            // the pod's containers join the sandbox's namespaces and share its resolv.conf
            (host.DNS, host.DNSSearch, host.DNSOptions) = ([.. dns.Nameservers], [.. dns.Searches], [.. dns.Options]);
        }
        NetworkingConfig? networking = null;
        if (config.Network is { } attachment)
        {
            host.NetworkMode = attachment.Network.Name;
            networking = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings>
                {
                    [attachment.Network.Name] = new EndpointSettings { IPAMConfig = new EndpointIPAMConfig { IPv4Address = attachment.Ip } },
                },
            };
        }
        var created = await Call(() => _client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = RuntimeLabels.SandboxName(config),
            Image = PauseImage.Reference,
            Hostname = config.Hostname,
            Labels = RuntimeLabels.ForSandbox(options.NodeName, config),
            HostConfig = host,
            NetworkingConfig = networking,
        }, cancellationToken));
        await Call(() => _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken));
        return (await ListSandboxesAsync(config.PodUid, cancellationToken)).FirstOrDefault(s => s.Id == created.ID)
            ?? throw new RuntimeException($"sandbox {created.ID} vanished as it started");
    }
}
