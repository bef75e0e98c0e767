using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Apps;
using Berth.Kube.Resources.Core;
using Berth.Kube.Scheduling;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// A DaemonSet's pods as kube-controller-manager's DaemonSet controller makes and judges them: which nodes should
/// run one (by the scheduler's own node selector and taint checks), the pod for a node (the daemon tolerations, a
/// required node affinity on the node's name, left to the scheduler to bind), and which pods run the current template.
/// </summary>
internal static class DaemonPods
{
    /// <summary>The deprecated label carrying the DaemonSet's template generation, which Kubernetes still sets.</summary>
    public const string TemplateGenerationLabel = "pod-template-generation";

    private const string NodeNameField = "metadata.name";

    /// <summary>Tolerated by every daemon pod, so node problems neither keep it off a node nor evict it.</summary>
    private static readonly (string Key, string Effect)[] s_tolerations =
    [
        ("node.kubernetes.io/not-ready", Tolerations.NoExecute),
        ("node.kubernetes.io/unreachable", Tolerations.NoExecute),
        ("node.kubernetes.io/disk-pressure", Tolerations.NoSchedule),
        ("node.kubernetes.io/memory-pressure", Tolerations.NoSchedule),
        ("node.kubernetes.io/pid-pressure", Tolerations.NoSchedule),
        ("node.kubernetes.io/unschedulable", Tolerations.NoSchedule),
    ];

    private static readonly (string Key, string Effect) s_hostNetworkToleration = ("node.kubernetes.io/network-unavailable", Tolerations.NoSchedule);

    /// <summary>
    /// Whether <paramref name="node"/> should get a daemon pod, and whether a pod already there may stay, as
    /// NodeShouldRunDaemonPod: the template's node name, node selector and required affinity must match, and the
    /// NoSchedule and NoExecute taints be tolerated; a pod already running stays while only NoSchedule ones are not.
    /// </summary>
    public static (bool ShouldRun, bool ShouldContinueRunning) ShouldRun(JsonObject node, JsonObject set)
    {
        var nodeName = node["metadata"]?["name"].AsText();
        var wantedName = set["spec"]?["template"]?["spec"]?["nodeName"].AsText();
        if (!string.IsNullOrEmpty(wantedName) && wantedName != nodeName)
        {
            return (false, false);
        }
        var pod = new JsonObject { ["spec"] = WithTolerations(set["spec"]?["template"]?["spec"] as JsonObject ?? []) };
        if (!NodeSelectors.RequiredMatch(pod, node))
        {
            return (false, false);
        }
        if (Tolerations.FirstUntolerated(node, pod, Tolerations.NoSchedule, Tolerations.NoExecute) is not null)
        {
            return (false, Tolerations.FirstUntolerated(node, pod, Tolerations.NoExecute) is null);
        }
        return (true, true);
    }

    /// <summary>
    /// The pod for <paramref name="nodeName"/>, from the template: labelled with the revision's hash and the template
    /// generation, with the daemon tolerations, and required to go to that node through node affinity.
    /// </summary>
    public static JsonObject NewPod(JsonObject set, string nodeName, string hash, long? generation)
    {
        var template = (JsonObject)(set["spec"]?["template"]?.DeepClone() ?? new JsonObject());
        template["spec"] = WithTolerations(template["spec"] as JsonObject ?? []);
        var pod = PodTemplates.NewPod(set, template);
        var metadata = (JsonObject)pod["metadata"]!;
        var labels = metadata["labels"] as JsonObject ?? (JsonObject)(metadata["labels"] = new JsonObject());
        if (generation is { } known)
        {
            labels[TemplateGenerationLabel] = known.ToString(CultureInfo.InvariantCulture);
        }
        labels[ControllerRevisions.HashLabel] = hash;
        RequireNode((JsonObject)pod["spec"]!, nodeName);
        return pod;
    }

    /// <summary>The node a daemon pod is for: its <c>spec.nodeName</c>, or before binding the name its node affinity requires.</summary>
    public static string? TargetNode(JsonObject pod)
    {
        if (pod["spec"]?["nodeName"].AsText() is { Length: > 0 } bound)
        {
            return bound;
        }
        var terms = pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray ?? [];
        var field = terms.OfType<JsonObject>().SelectMany(t => t["matchFields"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(f => f["key"].AsText() == NodeNameField && f["operator"].AsText() == "In");
        return field?["values"] is JsonArray { Count: 1 } values ? values[0].AsText() : null;
    }

    /// <summary>Whether a pod runs the current template: its revision hash, or else its template generation, is the set's.</summary>
    public static bool IsUpdated(JsonObject pod, string hash, long? generation)
    {
        var labels = pod["metadata"]?["labels"];
        return (hash.Length > 0 && labels?[ControllerRevisions.HashLabel].AsText() == hash)
            || (generation is { } known && labels?[TemplateGenerationLabel].AsText() == known.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The template generation kube-apiserver keeps in the set's annotation; null when absent or unreadable.</summary>
    public static long? TemplateGeneration(JsonObject set) =>
        long.TryParse(set["metadata"]?["annotations"]?[DaemonSetStrategy.TemplateGenerationAnnotation].AsText(), NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? generation : null;

    /// <summary>Ready by its condition, and for at least <paramref name="minReady"/>.</summary>
    public static bool IsAvailable(JsonObject pod, TimeSpan minReady, DateTimeOffset now) =>
        PodConditions.IsTrue(pod, PodConditions.Ready) && PodAvailability.IsAvailable(pod, minReady, now);

    /// <summary>Bound pods first, then oldest first, then by name: the order in which a node's pods are kept.</summary>
    public static IOrderedEnumerable<JsonObject> OldestFirst(IEnumerable<JsonObject> pods) =>
        pods.OrderBy(p => string.IsNullOrEmpty(p["spec"]?["nodeName"].AsText()) ? 1 : 0)
            .ThenBy(p => KubeTime.Parse(p["metadata"]?["creationTimestamp"]) ?? DateTimeOffset.MaxValue)
            .ThenBy(p => p["metadata"]?["name"].AsText(), StringComparer.Ordinal);

    /// <summary>A copy of <paramref name="spec"/> with the daemon tolerations added, each replacing an equal one the template has.</summary>
    private static JsonObject WithTolerations(JsonObject spec)
    {
        var copy = (JsonObject)spec.DeepClone();
        var tolerations = copy["tolerations"] as JsonArray ?? (JsonArray)(copy["tolerations"] = new JsonArray());
        var wanted = spec["hostNetwork"]?.GetValue<bool>() == true ? [.. s_tolerations, s_hostNetworkToleration] : s_tolerations;
        foreach (var (key, effect) in wanted)
        {
            var toleration = new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = effect };
            var same = tolerations.OfType<JsonObject>().FirstOrDefault(t => t["key"].AsText() == key && t["operator"].AsText() == "Exists"
                && t["effect"].AsText() == effect && (t["value"].AsText() ?? "") == "");
            if (same is null)
            {
                tolerations.Add(toleration);
            }
            else
            {
                tolerations[tolerations.IndexOf(same)] = toleration;
            }
        }
        return copy;
    }

    /// <summary>
    /// Makes the pod's required node affinity the one term naming <paramref name="nodeName"/>, as
    /// ReplaceDaemonSetPodNodeNameNodeAffinity: the node was already checked against the template's terms.
    /// </summary>
    private static void RequireNode(JsonObject spec, string nodeName)
    {
        var affinity = spec["affinity"] as JsonObject ?? (JsonObject)(spec["affinity"] = new JsonObject());
        var nodeAffinity = affinity["nodeAffinity"] as JsonObject ?? (JsonObject)(affinity["nodeAffinity"] = new JsonObject());
        nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = new JsonObject
        {
            ["nodeSelectorTerms"] = new JsonArray(new JsonObject
            {
                ["matchFields"] = new JsonArray(new JsonObject { ["key"] = NodeNameField, ["operator"] = "In", ["values"] = new JsonArray(nodeName) }),
            }),
        };
    }
}
