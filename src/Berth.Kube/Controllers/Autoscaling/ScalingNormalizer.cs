using System.Collections.Concurrent;

namespace Berth.Kube.Controllers.Autoscaling;

/// <summary>What normalizing decided: the replicas to set, and the AbleToScale and ScalingLimited conditions that explain it.</summary>
internal sealed record Normalized(int Replicas, string AbleToScaleReason, string AbleToScaleMessage, bool Limited, string LimitedReason, string LimitedMessage);

/// <summary>
/// Turns a metrics recommendation into the count to set, as kube-controller-manager's HPA controller does: it
/// stabilizes against the recommendations of the last window (the highest of the last five minutes before scaling
/// down, by default), then holds the change within min/max and the scaling rate. Without a <c>behavior</c>, the
/// original rules: a five-minute scale-down window and growth to at most twice the count (at least 4). With one, its
/// windows and policies, counting the scale events of each policy's period. Recommendations and events are
/// remembered per autoscaler in memory, as upstream keeps them.
/// </summary>
internal sealed class ScalingNormalizer(TimeProvider time)
{
    private static readonly TimeSpan s_downscaleStabilization = TimeSpan.FromMinutes(5);

    private sealed record Sample(DateTimeOffset At, int Replicas);

    private readonly ConcurrentDictionary<string, List<Sample>> _recommendations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<Sample>> _scaleUps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<Sample>> _scaleDowns = new(StringComparer.Ordinal);

    /// <summary>The first recommendation of an autoscaler is its target's current count.</summary>
    public void RecordInitial(string key, int currentReplicas) =>
        _recommendations.TryAdd(key, [new Sample(time.GetUtcNow(), currentReplicas)]);

    public void Forget(string key)
    {
        _recommendations.TryRemove(key, out _);
        _scaleUps.TryRemove(key, out _);
        _scaleDowns.TryRemove(key, out _);
    }

    /// <summary>Without a behavior: the original stabilization and rate rules.</summary>
    public Normalized Normalize(string key, int current, int desired, int min, int max)
    {
        var now = time.GetUtcNow();
        var recommendations = _recommendations.GetOrAdd(key, _ => []);
        int stabilized;
        lock (recommendations)
        {
            stabilized = desired;
            var old = -1;
            for (var i = 0; i < recommendations.Count; i++)
            {
                if (recommendations[i].At < now - s_downscaleStabilization)
                {
                    old = i;
                }
                else
                {
                    stabilized = Math.Max(stabilized, recommendations[i].Replicas);
                }
            }
            Store(recommendations, old, new Sample(now, desired));
        }
        var (able, ableMessage) = stabilized != desired
            ? ("ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation")
            : ("ReadyForNewScale", "recommended size matches current size");
        var scaleUpLimit = Math.Max(2 * current, 4);
        var (maximum, reason, message) = max > scaleUpLimit
            ? (scaleUpLimit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
            : (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count");
        var replicas = stabilized;
        if (stabilized < min)
        {
            (replicas, reason, message) = (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count");
        }
        else if (stabilized > maximum)
        {
            replicas = maximum;
        }
        else
        {
            (reason, message) = ("DesiredWithinRange", "the desired count is within the acceptable range");
        }
        return new Normalized(replicas, able, ableMessage, replicas != stabilized, reason, message);
    }

    /// <summary>With a behavior: its stabilization windows, then its policies' rates.</summary>
    public Normalized NormalizeWithBehavior(string key, int current, int desired, int min, int max, ScalingRules up, ScalingRules down)
    {
        var stabilized = Stabilize(key, current, desired, up, down, out var able, out var ableMessage);
        if (stabilized == desired)
        {
            (able, ableMessage) = ("ReadyForNewScale", "recommended size matches current size");
        }
        var (replicas, reason, message) = (stabilized, "DesiredWithinRange", "the desired count is within the acceptable range");
        if (stabilized > current)
        {
            var limit = Math.Max(current, UpLimit(key, current, up));
            var (maximum, limitReason, limitMessage) = max > limit
                ? (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
                : (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count");
            if (stabilized > maximum)
            {
                (replicas, reason, message) = (maximum, limitReason, limitMessage);
            }
        }
        else if (stabilized < current)
        {
            var limit = Math.Min(current, DownLimit(key, current, down));
            var (minimum, limitReason, limitMessage) = min < limit
                ? (limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
                : (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count");
            if (stabilized < minimum)
            {
                (replicas, reason, message) = (minimum, limitReason, limitMessage);
            }
        }
        return new Normalized(replicas, able, ableMessage, replicas != stabilized, reason, message);
    }

    /// <summary>Remembers a change of the count, for the policies' periods (only with a behavior, as upstream).</summary>
    public void RecordScale(string key, int previous, int replicas, ScalingRules up, ScalingRules down)
    {
        var now = time.GetUtcNow();
        var (events, rules, change) = replicas > previous ? (_scaleUps.GetOrAdd(key, _ => []), up, replicas - previous)
            : (_scaleDowns.GetOrAdd(key, _ => []), down, previous - replicas);
        lock (events)
        {
            var cutoff = now - TimeSpan.FromSeconds(rules.LongestPeriodSeconds);
            Store(events, events.FindIndex(e => e.At <= cutoff), new Sample(now, change));
        }
    }

    private int Stabilize(string key, int current, int desired, ScalingRules up, ScalingRules down, out string reason, out string message)
    {
        var now = time.GetUtcNow();
        int window;
        Func<int, int, int> better;
        if (desired >= current)
        {
            (window, better, reason, message) = (up.StabilizationWindowSeconds, Math.Min, "ScaleUpStabilized",
                "recent recommendations were lower than current one, applying the lowest recent recommendation");
        }
        else
        {
            (window, better, reason, message) = (down.StabilizationWindowSeconds, Math.Max, "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation");
        }
        var obsolete = now - TimeSpan.FromSeconds(Math.Max(up.StabilizationWindowSeconds, down.StabilizationWindowSeconds));
        var cutoff = now - TimeSpan.FromSeconds(window);
        var recommendations = _recommendations.GetOrAdd(key, _ => []);
        lock (recommendations)
        {
            var recommendation = desired;
            var old = -1;
            for (var i = 0; i < recommendations.Count; i++)
            {
                if (recommendations[i].At > cutoff)
                {
                    recommendation = better(recommendations[i].Replicas, recommendation);
                }
                if (recommendations[i].At < obsolete)
                {
                    old = i;
                }
            }
            Store(recommendations, old, new Sample(now, desired));
            return recommendation;
        }
    }

    private int UpLimit(string key, int current, ScalingRules rules) => Limit(key, current, rules, up: true);

    private int DownLimit(string key, int current, ScalingRules rules) => Limit(key, current, rules, up: false);

    /// <summary>
    /// The furthest the policies let the count go from where it was at the start of each policy's period, the
    /// largest change (Max) or the smallest (Min); Disabled allows none.
    /// </summary>
    private int Limit(string key, int current, ScalingRules rules, bool up)
    {
        if (rules.SelectPolicy == "Disabled")
        {
            return current;
        }
        var most = rules.SelectPolicy != "Min";
        int? result = null;
        foreach (var policy in rules.Policies)
        {
            var start = current - ChangeWithin(_scaleUps, key, policy.PeriodSeconds) + ChangeWithin(_scaleDowns, key, policy.PeriodSeconds);
            var proposed = policy.Type == "Pods"
                ? (up ? start + policy.Value : start - policy.Value)
                : up ? (int)Math.Ceiling(start * (1 + policy.Value / 100.0)) : (int)(start * (1 - policy.Value / 100.0));
            // scaling up, Max takes the highest limit; scaling down, Max takes the lowest
            result = result is not { } r ? proposed : (most == up ? Math.Max(r, proposed) : Math.Min(r, proposed));
        }
        return result ?? current;
    }

    private int ChangeWithin(ConcurrentDictionary<string, List<Sample>> events, string key, int periodSeconds)
    {
        if (!events.TryGetValue(key, out var list))
        {
            return 0;
        }
        var cutoff = time.GetUtcNow() - TimeSpan.FromSeconds(periodSeconds);
        lock (list)
        {
            return list.Where(e => e.At > cutoff).Sum(e => e.Replicas);
        }
    }

    /// <summary>Puts a sample in place of an outdated one, else adds it, so the list never grows past what the windows need.</summary>
    private static void Store(List<Sample> samples, int outdated, Sample sample)
    {
        if (outdated >= 0)
        {
            samples[outdated] = sample;
        }
        else
        {
            samples.Add(sample);
        }
    }
}
