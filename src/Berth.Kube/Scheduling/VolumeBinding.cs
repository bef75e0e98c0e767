using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Scheduling;

/// <summary>
/// kube-scheduler's VolumeBinding PreFilter: a pod waits, whatever the nodes, while one of its claims is missing,
/// lost, being deleted, or not yet bound although its class binds at once (Immediate). A claim of a
/// <c>WaitForFirstConsumer</c> class does not hold the pod back. The messages are kube-scheduler's.
/// </summary>
internal static class VolumeBinding
{
    public const string UnboundImmediate = "pod has unbound immediate PersistentVolumeClaims";
    private const string BindCompleted = "pv.kubernetes.io/bind-completed";

    /// <summary>Why no node can take the pod for its volumes, or null when its claims allow scheduling.</summary>
    public static string? PreFilter(JsonObject pod, Func<string, string, JsonObject?> claim, Func<string, JsonObject?> storageClass)
    {
        var ns = pod["metadata"]?["namespace"].AsText() ?? "default";
        var unboundImmediate = false;
        foreach (var volume in (pod["spec"]?["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            string name;
            var ephemeral = false;
            if (volume["persistentVolumeClaim"]?["claimName"].AsText() is { Length: > 0 } claimName)
            {
                name = claimName;
            }
            else if (volume["ephemeral"] is JsonObject)
            {
                name = $"{pod["metadata"]?["name"].AsText()}-{volume["name"].AsText()}"; // the claim the ephemeral volume controller makes
                ephemeral = true;
            }
            else
            {
                continue;
            }
            if (claim(ns, name) is not { } pvc)
            {
                return ephemeral
                    ? $"waiting for ephemeral volume controller to create the persistentvolumeclaim \"{name}\""
                    : $"persistentvolumeclaim \"{name}\" not found";
            }
            if (pvc["status"]?["phase"].AsText() == "Lost")
            {
                return $"persistentvolumeclaim \"{name}\" bound to non-existent persistentvolume \"{pvc["spec"]?["volumeName"].AsText()}\"";
            }
            if (pvc["metadata"]?["deletionTimestamp"] is not null)
            {
                return $"persistentvolumeclaim \"{name}\" is being deleted";
            }
            var bound = pvc["spec"]?["volumeName"].AsText() is { Length: > 0 } && pvc["metadata"]?["annotations"]?[BindCompleted] is not null;
            if (!bound && !WaitsForConsumer(pvc, storageClass))
            {
                unboundImmediate = true;
            }
        }
        return unboundImmediate ? UnboundImmediate : null;
    }

    private static bool WaitsForConsumer(JsonObject pvc, Func<string, JsonObject?> storageClass) =>
        pvc["spec"]?["storageClassName"].AsText() is { Length: > 0 } className
        && storageClass(className)?["volumeBindingMode"].AsText() == "WaitForFirstConsumer";
}
