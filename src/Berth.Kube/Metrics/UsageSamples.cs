namespace Berth.Kube.Metrics;

/// <summary>
/// The last two readings of every node and container the scraper has read, kept in memory only, as metrics-server
/// keeps them: usage is ephemeral, recomputed from the agents, never a second copy of state in the store. A node's
/// pods are replaced by each reading of the node, so pods that left it leave here too. A container read for the first
/// time is measured from its start, when its start is known, so a new pod has metrics after one reading.
/// </summary>
internal sealed class UsageSamples(TimeProvider time) : IDisposable
{
    private sealed record Pair(UsagePoint? Previous, UsagePoint Last);

    private sealed record ContainerSample(string Name, DateTimeOffset? StartTime, Pair Points);

    private sealed record PodSample(string Uid, IReadOnlyList<ContainerSample> Containers);

    private sealed record NodeSample(Pair Points, IReadOnlyDictionary<string, PodSample> Pods);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeSample> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PodSample> _pods = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wanted = new(0);
    private long _lastAskedTicks; // 0 while no one has asked since the scraper went idle

    /// <summary>Notes that usage is wanted, so the scraper reads agents only while someone reads usage; wakes an idle scraper.</summary>
    public void Ask()
    {
        if (Interlocked.Exchange(ref _lastAskedTicks, time.GetUtcNow().UtcTicks) == 0)
        {
            _wanted.Release();
        }
    }

    /// <summary>Whether usage was asked for within <paramref name="idleAfter"/>; when not, the samples go idle until asked again.</summary>
    public bool Wanted(TimeSpan idleAfter)
    {
        var asked = Interlocked.Read(ref _lastAskedTicks);
        if (asked != 0 && time.GetUtcNow().UtcTicks - asked < idleAfter.Ticks)
        {
            return true;
        }
        Interlocked.CompareExchange(ref _lastAskedTicks, 0, asked);
        return false;
    }

    /// <summary>Waits until usage is asked for.</summary>
    public Task WaitWantedAsync(CancellationToken cancellationToken) => _wanted.WaitAsync(cancellationToken);

    public void Dispose() => _wanted.Dispose();

    /// <summary>Takes a node's reading: its own counters and its pods', by pod uid, each container with its start.</summary>
    public void Record(string node, UsagePoint nodePoint, IReadOnlyList<(string PodUid, IReadOnlyList<(string Name, DateTimeOffset? StartTime, UsagePoint Point)> Containers)> pods)
    {
        lock (_lock)
        {
            var before = _nodes.GetValueOrDefault(node);
            var nodePair = Advance(before?.Points, nodePoint, start: null);
            var sampled = new Dictionary<string, PodSample>(StringComparer.Ordinal);
            foreach (var (uid, containers) in pods)
            {
                var old = before?.Pods.GetValueOrDefault(uid);
                sampled[uid] = new PodSample(uid, [.. containers.Select(c =>
                {
                    var known = old?.Containers.FirstOrDefault(k => k.Name == c.Name && k.StartTime == c.StartTime);
                    return new ContainerSample(c.Name, c.StartTime, Advance(known?.Points, c.Point, c.StartTime));
                })]);
            }
            foreach (var uid in before?.Pods.Keys ?? [])
            {
                _pods.Remove(uid);
            }
            foreach (var (uid, sample) in sampled)
            {
                _pods[uid] = sample;
            }
            _nodes[node] = new NodeSample(nodePair, sampled);
        }
    }

    /// <summary>Forgets a node and its pods: it is gone, or could not be read.</summary>
    public void Forget(string node)
    {
        lock (_lock)
        {
            if (_nodes.Remove(node, out var sample))
            {
                foreach (var uid in sample.Pods.Keys)
                {
                    _pods.Remove(uid);
                }
            }
        }
    }

    public Usage? Node(string node)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(node, out var sample) ? Usage.Between(sample.Points.Previous, sample.Points.Last) : null;
        }
    }

    /// <summary>The usage of each of a pod's containers; null unless every container read has a window.</summary>
    public IReadOnlyList<(string Container, Usage Usage)>? Pod(string uid)
    {
        lock (_lock)
        {
            if (!_pods.TryGetValue(uid, out var sample) || sample.Containers.Count == 0)
            {
                return null;
            }
            var usages = sample.Containers.Select(c => (c.Name, Usage: Usage.Between(c.Points.Previous, c.Points.Last))).ToList();
            return usages.Any(u => u.Usage is null) ? null : [.. usages.Select(u => (u.Name, u.Usage!))];
        }
    }

    /// <summary>
    /// The pair after a new reading: the newer reading moves the last one back; a first reading of a container
    /// pairs with its start (nothing used before it), as metrics-server treats a fresh container.
    /// </summary>
    private static Pair Advance(Pair? known, UsagePoint reading, DateTimeOffset? start)
    {
        if (known is null)
        {
            return new Pair(start is { } started && started < reading.Time ? new UsagePoint(started, 0, 0) : null, reading);
        }
        if (reading.Time <= known.Last.Time)
        {
            return known;
        }
        return new Pair(reading.CpuNanoseconds >= known.Last.CpuNanoseconds ? known.Last : null, reading);
    }
}
