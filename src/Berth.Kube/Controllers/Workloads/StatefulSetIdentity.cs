using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// The stable identity of a StatefulSet's pods: the name <c>&lt;set&gt;-&lt;ordinal&gt;</c>, the hostname and subdomain
/// that give it a DNS name under the set's Service, the identity labels, and one claim per volume claim template
/// named <c>&lt;template&gt;-&lt;set&gt;-&lt;ordinal&gt;</c> that outlives the pod.
/// </summary>
internal static class StatefulSetIdentity
{
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    /// <summary>The ordinal of a pod of <paramref name="set"/>, or null when its name is not one of the set's.</summary>
    public static int? Ordinal(JsonObject set, JsonObject pod)
    {
        var prefix = set["metadata"]!["name"]!.GetValue<string>() + "-";
        var name = pod["metadata"]?["name"].AsText() ?? "";
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal)
            && ordinal.ToString(CultureInfo.InvariantCulture) == name[prefix.Length..]
            ? ordinal : null;
    }

    /// <summary>The first ordinal, <c>spec.ordinals.start</c> (0 by default).</summary>
    public static int Start(JsonObject set) => (int)(set["spec"]?["ordinals"]?["start"].AsLong() ?? 0);

    public static string PodName(JsonObject set, int ordinal) => $"{set["metadata"]!["name"]!.GetValue<string>()}-{ordinal}";

    public static string ClaimName(JsonObject set, JsonObject claimTemplate, int ordinal) =>
        $"{claimTemplate["metadata"]?["name"].AsText()}-{PodName(set, ordinal)}";

    /// <summary>The pod with <paramref name="ordinal"/>, made from the set's template at <paramref name="revision"/>.</summary>
    public static JsonObject NewPod(JsonObject set, JsonObject template, int ordinal, string revision)
    {
        var pod = PodTemplates.NewPod(set, template);
        var metadata = (JsonObject)pod["metadata"]!;
        var name = PodName(set, ordinal);
        metadata.Remove("generateName");
        metadata["name"] = name;
        var labels = metadata["labels"] as JsonObject ?? (JsonObject)(metadata["labels"] = new JsonObject());
        labels[PodNameLabel] = name;
        labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        labels[ControllerRevisions.HashLabel] = revision;
        var spec = (JsonObject)pod["spec"]!;
        spec["hostname"] = name;
        if (set["spec"]?["serviceName"].AsText() is { Length: > 0 } service)
        {
            spec["subdomain"] = service;
        }
        var volumes = spec["volumes"] as JsonArray ?? (JsonArray)(spec["volumes"] = new JsonArray());
        foreach (var claimTemplate in ClaimTemplates(set))
        {
            var volumeName = claimTemplate["metadata"]?["name"].AsText();
            var existing = volumes.OfType<JsonObject>().FirstOrDefault(v => v["name"].AsText() == volumeName);
            if (existing is not null)
            {
                volumes.Remove(existing);
            }
            volumes.Add(new JsonObject
            {
                ["name"] = volumeName,
                ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = ClaimName(set, claimTemplate, ordinal) },
            });
        }
        if (volumes.Count == 0)
        {
            spec.Remove("volumes");
        }
        return pod;
    }

    public static IEnumerable<JsonObject> ClaimTemplates(JsonObject set) => (set["spec"]?["volumeClaimTemplates"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>The claim a pod's volume of <paramref name="claimTemplate"/> mounts, labeled with the set's selector.</summary>
    public static JsonObject NewClaim(JsonObject set, JsonObject claimTemplate, int ordinal)
    {
        var metadata = (JsonObject)(claimTemplate["metadata"]?.DeepClone() ?? new JsonObject());
        metadata["name"] = ClaimName(set, claimTemplate, ordinal);
        metadata["namespace"] = set["metadata"]!["namespace"]?.DeepClone();
        var labels = metadata["labels"] as JsonObject ?? (JsonObject)(metadata["labels"] = new JsonObject());
        foreach (var (key, value) in set["spec"]?["selector"]?["matchLabels"] as JsonObject ?? [])
        {
            labels[key] = value?.DeepClone();
        }
        if (set["spec"]?["persistentVolumeClaimRetentionPolicy"]?["whenDeleted"].AsText() == "Delete")
        {
            var reference = ControlledObjects.ReferenceTo(set);
            reference.Remove("controller");
            metadata["ownerReferences"] = new JsonArray(reference);
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolumeClaim",
            ["metadata"] = metadata,
            ["spec"] = claimTemplate["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }
}
