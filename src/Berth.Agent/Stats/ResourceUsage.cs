using Berth.Agent.Pods;
using Berth.Agent.Runtime;

namespace Berth.Agent.Stats;

/// <summary>
/// Reads the usage of every running container of the node's pods from the runtime, when asked (the API server's
/// metrics scraper asks about every 15 s), and sums it per pod and for the node. A Berth node's usage is that of its
/// pods: several nodes may share one host, so the host's own counters would count each other's pods. The node's CPU
/// counter must only grow, though pods come and go, so it adds up what each container used since the last reading.
/// </summary>
internal sealed class ResourceUsage(PodSync pods, IContainerRuntime runtime, AgentOptions options, TimeProvider time)
{
    /// <summary>How many containers are read at once; each reading is a request to the engine.</summary>
    private const int Parallelism = 4;

    private readonly Lock _lock = new();
    private Dictionary<string, ulong> _lastCpu = new(StringComparer.Ordinal);
    private ulong _nodeCpu;

    public async Task<StatsSummary> SummaryAsync(CancellationToken cancellationToken)
    {
        var known = pods.Pods.ToDictionary(p => p.Metadata.Uid, StringComparer.Ordinal);
        var running = (await runtime.ListContainersAsync(null, cancellationToken))
            .Where(c => c.State == ContainerState.Running && known.ContainsKey(c.PodUid)).ToList();
        var readings = new (ContainerStatus Container, ContainerUsage? Usage)[running.Count];
        await Parallel.ForAsync(0, running.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, token) => readings[i] = (running[i], await ReadAsync(running[i].Id, token)));

        var podStats = readings.Where(r => r.Usage is not null).GroupBy(r => r.Container.PodUid).Select(group =>
        {
            var pod = known[group.Key];
            var containers = group.Select(r => new ContainerStats(r.Container.Name, r.Container.StartedAt,
                new CpuStats(r.Usage!.Timestamp, r.Usage.CpuUsageNanoseconds), new MemoryStats(r.Usage.Timestamp, r.Usage.WorkingSetBytes))).ToList();
            var at = containers.Max(c => c.Cpu.Time);
            return new PodStats(new PodReference(pod.Metadata.Name, pod.Metadata.NamespaceProperty, pod.Metadata.Uid), containers,
                new CpuStats(at, Sum(containers, c => c.Cpu.UsageCoreNanoSeconds)), new MemoryStats(at, Sum(containers, c => c.Memory.WorkingSetBytes)));
        }).ToList();
        // the node's reading is as of its containers', so that its rate and theirs cover the same time
        var at = podStats.Count > 0 ? podStats.Max(p => p.Cpu.Time) : time.GetUtcNow();
        var node = new NodeStats(options.NodeName, new CpuStats(at, NodeCpu(readings)),
            new MemoryStats(at, Sum(podStats, p => p.Memory.WorkingSetBytes)));
        return new StatsSummary(node, podStats);
    }

    /// <summary>A container's usage; none when the runtime cannot read it (it stopped meanwhile, say), so the others still count.</summary>
    private async Task<ContainerUsage?> ReadAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return await runtime.ContainerUsageAsync(containerId, cancellationToken);
        }
        catch (RuntimeException)
        {
            return null;
        }
    }

    /// <summary>The node's CPU counter, grown by what each container used since it was last read (all it used, when new).</summary>
    private ulong NodeCpu((ContainerStatus Container, ContainerUsage? Usage)[] readings)
    {
        lock (_lock)
        {
            var seen = new Dictionary<string, ulong>(StringComparer.Ordinal);
            foreach (var (container, usage) in readings)
            {
                if (usage is null)
                {
                    continue;
                }
                var before = _lastCpu.GetValueOrDefault(container.Id);
                _nodeCpu += usage.CpuUsageNanoseconds >= before ? usage.CpuUsageNanoseconds - before : usage.CpuUsageNanoseconds;
                seen[container.Id] = usage.CpuUsageNanoseconds;
            }
            _lastCpu = seen;
            return _nodeCpu;
        }
    }

    private static ulong Sum<T>(IEnumerable<T> items, Func<T, ulong> value) => items.Aggregate(0UL, (total, item) => total + value(item));
}
