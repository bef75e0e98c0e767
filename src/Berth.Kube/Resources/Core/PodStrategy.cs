using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources.Workloads;

namespace Berth.Kube.Resources.Core;

internal sealed class PodStrategy : IResourceStrategy
{
    /// <summary>The spec fields a pod may change after creation, as Kubernetes allows.</summary>
    private static readonly string[] s_mutableSpecFields = ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"];
    /// <summary>The pod fields kube-apiserver lets field selectors name (kubelets watch their pods by <c>spec.nodeName</c>).</summary>
    public IReadOnlyCollection<string> FieldLabels { get; } =
    [
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
        "status.phase", "status.podIP", "status.nominatedNodeName",
    ];

    private static readonly string[] s_guaranteedResources = ["cpu", "memory"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0,
            (obj, _) => $"{Statuses(obj).Count(s => s["ready"].AsBool() == true)}/{(obj["spec"]?["containers"] as JsonArray)?.Count ?? 0}"),
        new("Status", "string", "", "The aggregate status of the containers in this pod.", 0, (obj, _) => PodStatusText.Of(obj)),
        new("Restarts", "string", "", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0,
            (obj, _) => Statuses(obj).Sum(s => s["restartCount"].AsLong() ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        TableColumn.AgeColumn(),
        new("IP", "string", "", "The IP address assigned to this pod", 1, (obj, _) => obj["status"]?["podIP"].AsText() ?? "<none>"),
        new("Node", "string", "", "The name of the node this pod is assigned to", 1, (obj, _) => obj["spec"]?["nodeName"].AsText() ?? "<none>"),
        new("Nominated Node", "string", "", "The node this pod is nominated to run on", 1, (obj, _) => obj["status"]?["nominatedNodeName"].AsText() ?? "<none>"),
        new("Readiness Gates", "string", "", "The readiness gates of this pod", 1,
            (obj, _) => obj["spec"]?["readinessGates"] is JsonArray { Count: > 0 } gates
                ? string.Join(",", gates.Select(g => g?["conditionType"].AsText()))
                : "<none>"),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["all"];

    public IReadOnlyDictionary<string, string> MergeKeys { get; } = Resources.MergeKeys.ForPodSpecAt("spec");

    /// <summary>
    /// A pod on a node waits for its node agent to stop its containers: the delete's grace period, else the pod's
    /// <c>terminationGracePeriodSeconds</c>. A pod never scheduled, or already finished, has nothing to stop.
    /// </summary>
    public long? GracefulDeletePeriod(JsonObject obj, long? requested)
    {
        if (obj["spec"]?["nodeName"].AsText() is null or "" || obj["status"]?["phase"].AsText() is "Succeeded" or "Failed")
        {
            return 0;
        }
        var period = requested ?? obj["spec"]?["terminationGracePeriodSeconds"].AsLong() ?? 30;
        return period < 0 ? 1 : period;
    }

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        PodSpecDefaults.Apply(spec);
        RequestsDefaultToLimits(spec);
        spec["enableServiceLinks"] ??= true;
        spec["preemptionPolicy"] ??= "PreemptLowerPriority";
        spec["priority"] ??= 0;
        AddDefaultTolerations(spec);
        if (obj["status"] is JsonObject { Count: 0 } status)
        {
            // A new pod: pending until scheduled and started, in the QoS class its resources give it.
            status["phase"] = "Pending";
            status["qosClass"] = QosClass(spec);
        }
    }

    /// <summary>
    /// Five minutes' tolerance of a not-ready or unreachable node, as kube-apiserver's DefaultTolerationSeconds
    /// admission gives every pod that states none: a node lost briefly does not cost its pods at once.
    /// </summary>
    private static void AddDefaultTolerations(JsonObject spec)
    {
        foreach (var taint in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            var tolerations = spec["tolerations"] as JsonArray;
            // a toleration of that taint, or one of every taint (no key, operator Exists), leaves the pod as it asked
            if (tolerations?.OfType<JsonObject>().Any(t => (t["key"].AsText() == taint || (t["key"].AsText() is null or "" && t["operator"].AsText() == "Exists"))
                    && t["effect"].AsText() is null or "" or "NoExecute") == true)
            {
                continue;
            }
            tolerations ??= (JsonArray)(spec["tolerations"] = new JsonArray());
            tolerations.Add(new JsonObject
            {
                ["key"] = taint,
                ["operator"] = "Exists",
                ["effect"] = "NoExecute",
                ["tolerationSeconds"] = 300,
            });
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) =>
        ObjectMetaValidation.Name(obj, label: false).Concat(PodSpecValidation.Validate(obj["spec"], "spec"));

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        if (!JsonNode.DeepEquals(Immutable(obj["spec"]), Immutable(old["spec"])))
        {
            yield return new FieldError("spec", "FieldValueForbidden",
                "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)");
        }
    }

    /// <summary>The spec without the fields a pod may change: images and the few mutable fields.</summary>
    private static JsonObject? Immutable(JsonNode? spec)
    {
        if (spec?.DeepClone() is not JsonObject copy)
        {
            return null;
        }
        foreach (var field in s_mutableSpecFields)
        {
            copy.Remove(field);
        }
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var container in (copy[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                container.Remove("image");
            }
        }
        return copy;
    }

    /// <summary>A container that limits a resource without requesting it requests its limit.</summary>
    private static void RequestsDefaultToLimits(JsonObject spec)
    {
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var resources in (spec[list] as JsonArray ?? []).Select(c => c?["resources"]).OfType<JsonObject>())
            {
                if (resources["limits"] is not JsonObject { Count: > 0 } limits)
                {
                    continue;
                }
                var requests = resources["requests"] as JsonObject ?? (JsonObject)(resources["requests"] = new JsonObject());
                foreach (var (name, limit) in limits)
                {
                    requests[name] ??= limit?.DeepClone();
                }
            }
        }
    }

    /// <summary>Guaranteed when every container limits CPU and memory at its requests, BestEffort with no resources at all.</summary>
    private static string QosClass(JsonObject spec)
    {
        var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var resources = containers.Select(c => c["resources"] as JsonObject).ToList();
        if (resources.All(r => (r?["requests"] as JsonObject ?? []).Count == 0 && (r?["limits"] as JsonObject ?? []).Count == 0))
        {
            return "BestEffort";
        }
        var guaranteed = resources.All(r => r?["limits"] is JsonObject limits
            && s_guaranteedResources.All(k => limits[k] is not null
                && (r["requests"]?[k] is null || JsonNode.DeepEquals(r["requests"]![k], limits[k]))));
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private static IEnumerable<JsonObject> Statuses(JsonObject obj) =>
        (obj["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>();
}
