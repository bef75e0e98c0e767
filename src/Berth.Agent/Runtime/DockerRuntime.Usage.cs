using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Agent.Runtime;

/// <summary>
/// Resource usage through the engine's container stats, one reading each (<c>stream=false</c>, <c>one-shot=true</c>,
/// so the engine does not wait a second for a previous CPU reading: the rate is the caller's). About 40 ms a
/// container against Podman here, and it works wherever the engine is, whatever its cgroup layout or manager.
/// </summary>
public sealed partial class DockerRuntime
{
    public async Task<ContainerUsage?> ContainerUsageAsync(string containerId, CancellationToken cancellationToken)
    {
        var reading = new StatsReading();
        try
        {
            await _client.Containers.GetContainerStatsAsync(containerId, new ContainerStatsParameters { Stream = false, OneShot = true }, reading, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            return null; // gone, or not running
        }
        catch (DockerApiException e)
        {
            throw new RuntimeException(ApiMessage(e), e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RuntimeException($"the container runtime at {options.ContainerRuntimeEndpoint} is unreachable: {e.Message}", e);
        }
        return reading.Stats is { CPUStats.CPUUsage: { } cpu, MemoryStats: { } memory } stats && stats.Read.Year > 1
            ? new ContainerUsage(new DateTimeOffset(DateTime.SpecifyKind(stats.Read, DateTimeKind.Utc)), cpu.TotalUsage, WorkingSet(memory))
            : null;
    }

    /// <summary>
    /// Usage less the inactive page cache, as cAdvisor's working set: Docker names it <c>total_inactive_file</c> on
    /// cgroup v1 and <c>inactive_file</c> on v2; Podman sends no breakdown, so its usage is taken as it is.
    /// </summary>
    private static ulong WorkingSet(MemoryStats memory)
    {
        var stats = memory.Stats ?? new Dictionary<string, ulong>();
        var inactive = stats.TryGetValue("total_inactive_file", out var v1) ? v1 : stats.TryGetValue("inactive_file", out var v2) ? v2 : 0;
        var usage = memory.Usage ?? 0;
        return usage > inactive ? usage - inactive : 0;
    }

    private sealed class StatsReading : IProgress<ContainerStatsResponse>
    {
        public ContainerStatsResponse? Stats { get; private set; }

        public void Report(ContainerStatsResponse value) => Stats = value;
    }
}
