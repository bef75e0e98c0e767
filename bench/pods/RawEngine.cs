using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Bench.Pods;

/// <summary>
/// The engine's own floor: the same container created and started through the Docker-compatible API of the Podman
/// service the agent uses, with no network (a pod's container joins namespaces made before it), timed together. No
/// <c>podman</c> process and nothing of Berth: what thirty containers cost the engine alone on this machine.
/// </summary>
internal sealed class RawEngine(Uri endpoint, string image) : IDisposable
{
    private readonly DockerClient _client = new DockerClientBuilder().WithEndpoint(endpoint).WithApiVersion(new System.Version(1, 41)).Build();

    /// <summary>Starts the containers all at once and returns each one's time to started, in milliseconds.</summary>
    public async Task<double[]> StartAsync(IReadOnlyList<string> names) =>
        await Task.WhenAll(names.Select(async name =>
        {
            var start = Stopwatch.GetTimestamp();
            var created = await _client.Containers.CreateContainerAsync(new CreateContainerParameters
            {
                Name = name,
                Image = image,
                Cmd = ["sleep", "3600"],
                HostConfig = new HostConfig { NetworkMode = "none" },
            });
            await _client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }));

    public Task RemoveAsync(IEnumerable<string> names) =>
        Task.WhenAll(names.Select(name => _client.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true })));

    public void Dispose() => _client.Dispose();
}
