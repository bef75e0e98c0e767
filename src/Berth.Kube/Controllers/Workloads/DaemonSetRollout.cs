using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>What one step of a DaemonSet's rolling update does: the pods to delete and the nodes to give a new pod.</summary>
internal sealed record DaemonRolloutStep(List<JsonObject> Delete, List<string> Create);

/// <summary>
/// A DaemonSet's rolling update, as kube-controller-manager's: without surge, old pods are deleted while no more than
/// <c>maxUnavailable</c> nodes lack an available pod, and the controller's next pass makes their replacements; with
/// surge, a new pod starts beside the old one on up to <c>maxSurge</c> nodes at a time, and the old one goes once the
/// new one is available. The set's current template is <see cref="Hash"/> (or <see cref="Generation"/>).
/// </summary>
internal sealed record DaemonSetRollout(string Hash, long? Generation, TimeSpan MinReady, DateTimeOffset Now)
{
    /// <summary>
    /// <c>maxSurge</c> and <c>maxUnavailable</c> as node counts of <paramref name="desired"/>, both rounded up; zero for
    /// both would stall the update, so one may then be unavailable.
    /// </summary>
    public static (long Surge, long Unavailable) Budget(JsonObject set, long desired)
    {
        var strategy = set["spec"]?["updateStrategy"];
        if (strategy?["type"].AsText() != "RollingUpdate")
        {
            return (0, 0);
        }
        var surge = RolloutArithmetic.Resolve(strategy["rollingUpdate"]?["maxSurge"], desired, roundUp: true);
        var unavailable = RolloutArithmetic.Resolve(strategy["rollingUpdate"]?["maxUnavailable"], desired, roundUp: true);
        return desired > 0 && surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>
    /// The step for the pods by node (every node that should run a pod present, perhaps with none), given the budget;
    /// <paramref name="shouldRun"/> says whether a node still should run the set's pod.
    /// </summary>
    public DaemonRolloutStep Plan(IReadOnlyDictionary<string, List<JsonObject>> nodeToPods, long maxSurge, long maxUnavailable, Func<string, bool> shouldRun) =>
        maxSurge == 0 ? Replace(nodeToPods, maxUnavailable) : Surge(nodeToPods, maxSurge, shouldRun);

    /// <summary>The update's new and old pod on a node; not ok when the node has more than one of either, which the controller's pass settles first.</summary>
    public (JsonObject? New, JsonObject? Old, bool Ok) OnNode(IEnumerable<JsonObject> pods)
    {
        JsonObject? updated = null, old = null;
        foreach (var pod in pods.Where(p => p["metadata"]?["deletionTimestamp"] is null))
        {
            if (DaemonPods.IsUpdated(pod, Hash, Generation))
            {
                if (updated is not null)
                {
                    return (null, null, false);
                }
                updated = pod;
            }
            else
            {
                if (old is not null)
                {
                    return (null, null, false);
                }
                old = pod;
            }
        }
        return (updated, old, true);
    }

    private bool Available(JsonObject pod) => DaemonPods.IsAvailable(pod, MinReady, Now);

    private DaemonRolloutStep Replace(IReadOnlyDictionary<string, List<JsonObject>> nodeToPods, long maxUnavailable)
    {
        var unavailable = 0L;
        var replaceable = new List<JsonObject>();
        var candidates = new List<JsonObject>();
        foreach (var (_, pods) in nodeToPods.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            var (updated, old, ok) = OnNode(pods);
            if (!ok || (updated is null) == (old is null))
            {
                unavailable++; // a node the controller's pass is still creating or deleting on
            }
            else if (updated is not null)
            {
                unavailable += Available(updated) ? 0 : 1;
            }
            else if (!Available(old!))
            {
                replaceable.Add(old!); // unavailable anyway: replacing it costs nothing
            }
            else if (unavailable < maxUnavailable)
            {
                candidates.Add(old!);
            }
        }
        var remaining = (int)Math.Clamp(maxUnavailable - unavailable, 0, candidates.Count);
        return new([.. replaceable, .. candidates.Take(remaining)], []);
    }

    private DaemonRolloutStep Surge(IReadOnlyDictionary<string, List<JsonObject>> nodeToPods, long maxSurge, Func<string, bool> shouldRun)
    {
        var delete = new List<JsonObject>();
        var notWanted = new List<JsonObject>();
        var allowed = new List<string>();
        var candidates = new List<string>();
        var surging = 0L;
        var available = 0L;
        foreach (var (node, pods) in nodeToPods.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            var (updated, old, ok) = OnNode(pods);
            if (!ok)
            {
                surging++;
                continue;
            }
            if ((old ?? updated) is { } counted && Available(counted))
            {
                available++;
            }
            if (old is null)
            {
                continue; // nothing to replace; the controller's pass makes a missing pod
            }
            if (updated is null)
            {
                if (!Available(old))
                {
                    if (shouldRun(node))
                    {
                        allowed.Add(node); // unavailable anyway: its replacement may start at once
                    }
                    else
                    {
                        delete.Add(old);
                    }
                }
                else if (!shouldRun(node))
                {
                    notWanted.Add(old);
                }
                else if (surging < maxSurge)
                {
                    candidates.Add(node);
                }
            }
            else if (!Available(updated))
            {
                surging++; // waiting for the new pod
            }
            else
            {
                delete.Add(old); // the new pod is available: the old one goes
            }
        }
        // pods on nodes that should no longer run one go only while as many available pods as wanted remain
        var desired = nodeToPods.Keys.Count(shouldRun);
        delete.AddRange(notWanted.Take((int)Math.Clamp(available - desired, 0, notWanted.Count)));
        var remaining = (int)Math.Clamp(maxSurge - surging, 0, candidates.Count);
        return new(delete, [.. allowed, .. candidates.Take(remaining)]);
    }
}
