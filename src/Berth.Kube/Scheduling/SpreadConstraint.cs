using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// One topology spread constraint of a pod, resolved: which pods of its namespace it counts (its label selector
/// with <c>matchLabelKeys</c> merged in), over which topology, how much skew it allows, and which nodes' domains
/// count (<c>nodeAffinityPolicy</c> Honor and <c>nodeTaintsPolicy</c> Ignore unless set). A pod of a ReplicaSet,
/// StatefulSet or ReplicationController with no constraints of its own gets kube-scheduler's default ones, which
/// only score: its controller's pods spread over hostnames (skew 3) and zones (skew 5).
/// </summary>
internal sealed class SpreadConstraint(string topologyKey, int maxSkew, bool required, int minDomains, bool honorNodeAffinity, bool honorTaints,
    string ns, Func<PodDemand, bool> selects)
{
    public const string HostnameKey = "kubernetes.io/hostname";
    public const string ZoneKey = "topology.kubernetes.io/zone";

    private static readonly string[] s_defaultOwners = ["ReplicaSet", "StatefulSet", "ReplicationController"];

    public string TopologyKey { get; } = topologyKey;

    public int MaxSkew { get; } = maxSkew;

    /// <summary><c>whenUnsatisfiable: DoNotSchedule</c>: a filter; otherwise (<c>ScheduleAnyway</c>) only a score.</summary>
    public bool Required { get; } = required;

    public int MinDomains { get; } = minDomains;

    public bool HonorNodeAffinity { get; } = honorNodeAffinity;

    public bool HonorTaints { get; } = honorTaints;

    /// <summary>Whether the constraints are the cluster's defaults rather than the pod's own.</summary>
    public bool IsDefault { get; private init; }

    /// <summary>Whether the constraint counts <paramref name="pod"/>: same namespace, not terminating, selected.</summary>
    public bool Counts(PodDemand pod) => pod.Namespace == ns && !pod.Terminating && selects(pod);

    /// <summary>Whether a node's domain counts at all for the incoming pod, by the node affinity and taint policies.</summary>
    public bool Includes(NodeInfo node, CycleState state) =>
        (!HonorNodeAffinity || state.MatchesNodeSelection(node)) && (!HonorTaints || state.ToleratesTaints(node));

    public static IReadOnlyList<SpreadConstraint> Of(JsonObject pod, PodDemand demand)
    {
        var own = pod["spec"]?["topologySpreadConstraints"] as JsonArray;
        if (own is { Count: > 0 })
        {
            return [.. own.OfType<JsonObject>().Select(c => Parse(c, demand))];
        }
        var owner = (pod["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(r => r["controller"].AsBool() == true && s_defaultOwners.Contains(r["kind"].AsText()));
        if (owner?["uid"].AsText() is not { } uid)
        {
            return [];
        }
        bool SameOwner(PodDemand p) => p.OwnerUid == uid;
        return
        [
            new(HostnameKey, 3, required: false, 1, honorNodeAffinity: true, honorTaints: false, demand.Namespace, SameOwner) { IsDefault = true },
            new(ZoneKey, 5, required: false, 1, honorNodeAffinity: true, honorTaints: false, demand.Namespace, SameOwner) { IsDefault = true },
        ];
    }

    private static SpreadConstraint Parse(JsonObject constraint, PodDemand demand)
    {
        var selector = LabelKeySelectors.Of(constraint, demand.Labels);
        var required = constraint["whenUnsatisfiable"].AsText() != "ScheduleAnyway";
        return new SpreadConstraint(constraint["topologyKey"].AsText() ?? "", (int)(constraint["maxSkew"].AsLong() ?? 1), required,
            required ? (int)(constraint["minDomains"].AsLong() ?? 1) : 1,
            constraint["nodeAffinityPolicy"].AsText() != "Ignore", constraint["nodeTaintsPolicy"].AsText() == "Honor",
            demand.Namespace, p => selector?.MatchesLabels(p.Labels) == true);
    }
}
