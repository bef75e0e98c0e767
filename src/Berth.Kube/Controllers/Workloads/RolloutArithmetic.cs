using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>One ReplicaSet as a Deployment's rollout counts it.</summary>
/// <param name="Name">The set's name.</param>
/// <param name="Replicas">Its <c>spec.replicas</c>: the pods it is asked for.</param>
/// <param name="Current">Its <c>status.replicas</c>: the pods it has.</param>
/// <param name="Ready">Its ready pods.</param>
/// <param name="Available">Its pods ready for at least <c>minReadySeconds</c>.</param>
/// <param name="MaxReplicas">The Deployment's size plus surge when the set was last scaled (its max-replicas annotation), if known.</param>
/// <param name="Created">Its creation timestamp, which orders sets oldest first.</param>
internal sealed record ReplicaSetCounts(string Name, long Replicas, long Current, long Ready, long Available, long? MaxReplicas, string Created);

/// <summary>
/// The numbers of a Deployment's rollout, as the Deployment controller computes them: how far it may surge above
/// and fall below its size, how many pods the new ReplicaSet may have now, which old ones give up how many, and how
/// a change of size is shared among sets that are all still running.
/// </summary>
internal static class RolloutArithmetic
{
    /// <summary>
    /// <c>maxSurge</c> and <c>maxUnavailable</c> as pod counts: percentages of <paramref name="replicas"/>, surge
    /// rounded up, unavailable rounded down; both zero would stall the rollout, so unavailable becomes one.
    /// </summary>
    public static (long Surge, long Unavailable) Fenceposts(JsonNode? maxSurge, JsonNode? maxUnavailable, long replicas)
    {
        var surge = Resolve(maxSurge, replicas, roundUp: true);
        var unavailable = Resolve(maxUnavailable, replicas, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>An int-or-percent against <paramref name="total"/>, as intstr.GetScaledValueFromIntOrPercent.</summary>
    public static long Resolve(JsonNode? value, long total, bool roundUp)
    {
        if (value is null)
        {
            return 0;
        }
        if (value.AsText() is { } text && text.EndsWith('%'))
        {
            var percent = long.Parse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture);
            var scaled = percent * total;
            return roundUp ? (scaled + 99) / 100 : scaled / 100;
        }
        return value.AsLong() ?? 0;
    }

    /// <summary>The size the new set should have now under RollingUpdate: as much as the surge allows, never above the Deployment's size.</summary>
    public static long NewReplicaSetSize(long replicas, long surge, long newReplicas, IEnumerable<ReplicaSetCounts> all)
    {
        var current = all.Sum(s => s.Replicas);
        var maxTotal = replicas + surge;
        if (current >= maxTotal)
        {
            return newReplicas;
        }
        return newReplicas + Math.Min(maxTotal - current, replicas - newReplicas);
    }

    /// <summary>How many pods the old sets may give up without falling below the Deployment's minimum availability.</summary>
    public static long MaxScaleDown(long replicas, long unavailable, IReadOnlyCollection<ReplicaSetCounts> all, ReplicaSetCounts? newSet)
    {
        var minAvailable = replicas - unavailable;
        var newUnavailable = newSet is null ? 0 : newSet.Replicas - newSet.Available;
        return all.Sum(s => s.Replicas) - minAvailable - newUnavailable;
    }

    /// <summary>
    /// Shares <paramref name="toAdd"/> pods (negative to remove) among the active sets in proportion to their size,
    /// as the controller does when a Deployment is resized mid-rollout: the larger sets first (the newer on growth,
    /// the older on shrinkage), rounding left over to the largest. Returns each set's new size, by name.
    /// </summary>
    public static Dictionary<string, long> Proportional(IReadOnlyList<ReplicaSetCounts> active, long replicas, long surge, long statusReplicas, long toAdd)
    {
        var ordered = active.OrderByDescending(s => s.Replicas)
            .ThenBy(s => s.Created, toAdd > 0 ? Comparer<string>.Create((a, b) => string.CompareOrdinal(b, a)) : StringComparer.Ordinal)
            .ToList();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        long added = 0;
        foreach (var set in ordered)
        {
            var share = Share(set, replicas, surge, statusReplicas, toAdd, added);
            sizes[set.Name] = set.Replicas + share;
            added += share;
        }
        if (ordered.Count > 0 && toAdd != added)
        {
            sizes[ordered[0].Name] = Math.Max(0, sizes[ordered[0].Name] + toAdd - added);
        }
        return sizes;
    }

    private static long Share(ReplicaSetCounts set, long replicas, long surge, long statusReplicas, long toAdd, long added)
    {
        if (set.Replicas == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }
        long fraction;
        if (replicas == 0)
        {
            fraction = -set.Replicas;
        }
        else
        {
            var annotated = set.MaxReplicas ?? statusReplicas;
            fraction = annotated == 0 ? 0 : (long)Math.Round(set.Replicas * (double)(replicas + surge) / annotated, MidpointRounding.AwayFromZero) - set.Replicas;
        }
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }
}
