using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Controllers.Workloads;
using Berth.Kube.Resources;

namespace Berth.Kube.Controllers.Disruption;

/// <summary>
/// The scale of the controllers of a budget's pods, summed, as the disruption controller's finders find it: a
/// ReplicaSet a Deployment controls counts as the Deployment, any other controller through its scale subresource
/// (<c>spec.replicas</c>). Pods with no controller are reported apart, as unmanaged; a controller that cannot be
/// found, or has no scale, makes the count fail.
/// </summary>
internal sealed class ControllerScales(ResourceHandler objects, ResourceRegistry registry, string cluster)
{
    private sealed record Found(string Uid, long Replicas);

    public async Task<(long Scale, List<string> Unmanaged)> SumAsync(IEnumerable<JsonObject> pods, CancellationToken cancellationToken)
    {
        var byReference = new Dictionary<string, Found>(StringComparer.Ordinal);
        var unmanaged = new List<string>();
        foreach (var pod in pods)
        {
            var name = pod["metadata"]!["name"]!.GetValue<string>();
            if (ControlledObjects.ControllerReference(pod) is not { } reference)
            {
                unmanaged.Add(name);
                continue;
            }
            var uid = reference["uid"].AsText() ?? "";
            if (byReference.ContainsKey(uid))
            {
                continue;
            }
            var ns = pod["metadata"]!["namespace"].AsText();
            byReference[uid] = await DeploymentOfAsync(reference, ns, cancellationToken)
                ?? await ScaleOfAsync(reference, ns, cancellationToken)
                ?? throw new BudgetCalculationException($"found no controllers for pod \"{name}\"");
        }
        // several sets of one Deployment count it once
        return (byReference.Values.DistinctBy(f => f.Uid).Sum(f => f.Replicas), unmanaged);
    }

    /// <summary>The Deployment controlling the pod's ReplicaSet, or null when the pod's controller is no such set.</summary>
    private async Task<Found?> DeploymentOfAsync(JsonObject reference, string? ns, CancellationToken cancellationToken)
    {
        if (reference["kind"].AsText() != "ReplicaSet" || reference["apiVersion"].AsText() != "apps/v1"
            || await ReadOwnerAsync(registry.Find("apps", "v1", "replicasets")!, reference, ns, cancellationToken) is not { } set
            || ControlledObjects.ControllerReference(set) is not { } setReference
            || setReference["kind"].AsText() != "Deployment" || setReference["apiVersion"].AsText() != "apps/v1"
            || await ReadOwnerAsync(registry.Find("apps", "v1", "deployments")!, setReference, ns, cancellationToken) is not { } deployment)
        {
            return null;
        }
        return new Found(deployment["metadata"]!["uid"]!.GetValue<string>(), deployment["spec"]?["replicas"].AsLong() ?? 0);
    }

    /// <summary>The controller's <c>spec.replicas</c> through its scale subresource; null when it is gone or was replaced.</summary>
    private async Task<Found?> ScaleOfAsync(JsonObject reference, string? ns, CancellationToken cancellationToken)
    {
        var apiVersion = reference["apiVersion"].AsText() ?? "";
        var kind = reference["kind"].AsText() ?? "";
        var type = registry.FindKind(apiVersion, kind)
            ?? throw new BudgetCalculationException($"no matches for kind \"{kind}\" in version \"{apiVersion}\"");
        if (type.Strategy.Scale is null)
        {
            throw new BudgetCalculationException($"{(type.Group.Length > 0 ? $"{type.Plural}.{type.Group}" : type.Plural)} does not implement the scale subresource");
        }
        return await ReadOwnerAsync(type, reference, ns, cancellationToken) is { } owner
            ? new Found(owner["metadata"]!["uid"]!.GetValue<string>(), owner["spec"]?["replicas"].AsLong() ?? 0)
            : null;
    }

    /// <summary>The object an owner reference names, if it exists with the uid named.</summary>
    private async Task<JsonObject?> ReadOwnerAsync(ResourceType type, JsonObject reference, string? ns, CancellationToken cancellationToken)
    {
        var owner = await objects.GetObjectAsync(cluster, type, ns, reference["name"].AsText() ?? "", cancellationToken);
        return owner?["metadata"]?["uid"].AsText() == reference["uid"].AsText() ? owner : null;
    }
}
