namespace Berth.Kube.Controllers.Autoscaling;

/// <summary>
/// kube-controller-manager's replica calculator for resource metrics: the usage of ready pods against the target,
/// no change within the 10% tolerance; pods without metrics counted at the target (on a scale-down) or at nothing
/// (on a scale-up), and not-yet-ready pods at nothing on a scale-up, so that neither exaggerates the change. A pod's
/// CPU is not trusted while it may still be starting: within five minutes of its start, until it is ready and a full
/// metrics window has passed since; later, while it has been unready since its first 30 seconds.
/// </summary>
internal sealed class ReplicaCalculator(TimeProvider time)
{
    public const double Tolerance = 0.1;
    public static readonly TimeSpan CpuInitializationPeriod = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DelayOfInitialReadinessStatus = TimeSpan.FromSeconds(30);

    /// <summary>Replicas for a utilization target (percent of the pods' requests); also the utilization and the average usage in milli-units.</summary>
    public (int Replicas, int Utilization, long AverageMilli) ForUtilization(int currentReplicas, int targetUtilization, string resource,
        IReadOnlyList<ScaledPod> pods, IReadOnlyDictionary<string, PodMetric> metrics)
    {
        var (readyCount, unready, missing, used) = Group(pods, metrics, resource);
        var requests = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            long total = 0;
            foreach (var (container, request) in pod.Requests)
            {
                total += request ?? throw new ReplicaCalculationException($"missing request for {resource} in container {container} of Pod {pod.Name}");
            }
            requests[pod.Name] = total;
        }
        var (ratio, utilization, average) = UtilizationRatio(used, requests, targetUtilization);
        var scaleUpWithUnready = unready.Count > 0 && ratio > 1.0;
        if (!scaleUpWithUnready && missing.Count == 0)
        {
            return (Math.Abs(1.0 - ratio) <= Tolerance ? currentReplicas : (int)Math.Ceiling(ratio * readyCount), utilization, average);
        }
        foreach (var name in missing)
        {
            // on a scale-down a missing pod uses all it requests (or the target, when the target is beyond 100%)
            used[name] = ratio < 1.0 ? requests[name] * Math.Max(100, targetUtilization) / 100 : 0;
        }
        if (scaleUpWithUnready)
        {
            foreach (var name in unready)
            {
                used[name] = 0;
            }
        }
        var (newRatio, _, _) = UtilizationRatio(used, requests, targetUtilization);
        return (Settle(currentReplicas, ratio, newRatio, used.Count), utilization, average);
    }

    /// <summary>Replicas for an average usage target in milli-units; also the average usage.</summary>
    public (int Replicas, long AverageMilli) ForAverageValue(int currentReplicas, long targetMilli, string resource,
        IReadOnlyList<ScaledPod> pods, IReadOnlyDictionary<string, PodMetric> metrics)
    {
        var (readyCount, unready, missing, used) = Group(pods, metrics, resource);
        var (ratio, average) = UsageRatio(used, targetMilli);
        var scaleUpWithUnready = unready.Count > 0 && ratio > 1.0;
        if (!scaleUpWithUnready && missing.Count == 0)
        {
            return (Math.Abs(1.0 - ratio) <= Tolerance ? currentReplicas : (int)Math.Ceiling(ratio * readyCount), average);
        }
        foreach (var name in missing)
        {
            used[name] = ratio < 1.0 ? targetMilli : 0;
        }
        if (scaleUpWithUnready)
        {
            foreach (var name in unready)
            {
                used[name] = 0;
            }
        }
        var (newRatio, _) = UsageRatio(used, targetMilli);
        return (Settle(currentReplicas, ratio, newRatio, used.Count), average);
    }

    /// <summary>The count after the assumptions about missing and unready pods, unless they reverse or cancel the change.</summary>
    private static int Settle(int currentReplicas, double ratio, double newRatio, int counted)
    {
        if (Math.Abs(1.0 - newRatio) <= Tolerance || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0))
        {
            return currentReplicas;
        }
        var replicas = (int)Math.Ceiling(newRatio * counted);
        return (newRatio < 1.0 && replicas > currentReplicas) || (newRatio > 1.0 && replicas < currentReplicas) ? currentReplicas : replicas;
    }

    /// <summary>
    /// Sorts the pods as groupPods does: how many are ready with metrics, which are unready (pending, or CPU not yet
    /// trusted), which have no metrics; the usage of the ready ones. Deleted and failed pods are left out.
    /// </summary>
    private (int ReadyCount, List<string> Unready, List<string> Missing, Dictionary<string, long> Used) Group(IReadOnlyList<ScaledPod> pods,
        IReadOnlyDictionary<string, PodMetric> metrics, string resource)
    {
        if (pods.Count == 0)
        {
            throw new ReplicaCalculationException("no pods returned by selector while calculating replica count");
        }
        var now = time.GetUtcNow();
        var unready = new List<string>();
        var missing = new List<string>();
        var used = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (pod.Ignored)
            {
                continue;
            }
            if (pod.Pending)
            {
                unready.Add(pod.Name);
                continue;
            }
            if (!metrics.TryGetValue(pod.Name, out var metric))
            {
                missing.Add(pod.Name);
                continue;
            }
            if (resource == "cpu" && !CpuTrusted(pod, metric, now))
            {
                unready.Add(pod.Name);
                continue;
            }
            used[pod.Name] = metric.ValueMilli;
        }
        if (used.Count == 0)
        {
            throw new ReplicaCalculationException("did not receive metrics for targeted pods (pods might be unready)");
        }
        return (used.Count, unready, missing, used);
    }

    private static bool CpuTrusted(ScaledPod pod, PodMetric metric, DateTimeOffset now)
    {
        if (pod.Ready is not { } ready || pod.StartTime is not { } started || pod.ReadyTransition is not { } transition)
        {
            return false;
        }
        if (started + CpuInitializationPeriod > now)
        {
            // still possibly starting: only a ready pod measured a whole window after it became ready
            return ready && metric.Timestamp >= transition + metric.Window;
        }
        // unready since its start (it never became ready after the first 30 seconds): not counted
        return ready || started + DelayOfInitialReadinessStatus <= transition;
    }

    private static (double Ratio, int Utilization, long Average) UtilizationRatio(Dictionary<string, long> used, Dictionary<string, long> requests, int target)
    {
        long usedTotal = 0, requestsTotal = 0, counted = 0;
        foreach (var (name, value) in used)
        {
            if (requests.TryGetValue(name, out var request))
            {
                usedTotal += value;
                requestsTotal += request;
                counted++;
            }
        }
        if (requestsTotal == 0)
        {
            throw new ReplicaCalculationException("no metrics returned matched known pods");
        }
        var utilization = (int)(usedTotal * 100 / requestsTotal);
        return ((double)utilization / target, utilization, usedTotal / counted);
    }

    private static (double Ratio, long Average) UsageRatio(Dictionary<string, long> used, long target)
    {
        var average = used.Values.Sum() / used.Count;
        return ((double)average / target, average);
    }
}
