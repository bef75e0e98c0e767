using System.Text.Json.Nodes;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>Pods made from a workload's pod template, owned by the workload, as the controllers make them.</summary>
internal static class PodTemplates
{
    /// <summary>
    /// A pod named <c>&lt;owner&gt;-&lt;random&gt;</c> (by <c>generateName</c>) with the template's labels,
    /// annotations and spec, and a controller reference to <paramref name="owner"/> that blocks the owner's
    /// foreground deletion.
    /// </summary>
    public static JsonObject NewPod(JsonObject owner, JsonObject template)
    {
        var ownerMetadata = owner["metadata"]!;
        var metadata = new JsonObject
        {
            ["generateName"] = ownerMetadata["name"]!.GetValue<string>() + "-",
            ["namespace"] = ownerMetadata["namespace"]?.DeepClone(),
        };
        foreach (var field in new[] { "labels", "annotations", "finalizers" })
        {
            if (template["metadata"]?[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }
        metadata["ownerReferences"] = new JsonArray(ControlledObjects.ReferenceTo(owner));
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }
}
