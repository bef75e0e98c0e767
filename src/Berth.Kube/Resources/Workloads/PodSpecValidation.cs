using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Workloads;

/// <summary>The checks of a pod spec that every kind holding one shares.</summary>
internal static class PodSpecValidation
{
    private static readonly string[] s_restartPolicies = ["Always", "OnFailure", "Never"];

    /// <param name="spec">The pod spec.</param>
    /// <param name="path">Where the spec sits, for field paths: <c>spec</c> or <c>spec.template.spec</c>.</param>
    /// <param name="restartPolicies">The restart policies the holding kind allows.</param>
    /// <param name="claimVolumes">Volumes the pods get besides their own: a StatefulSet's claim templates.</param>
    public static IEnumerable<FieldError> Validate(JsonNode? spec, string path, IReadOnlyList<string>? restartPolicies = null,
        IEnumerable<string>? claimVolumes = null)
    {
        if (spec is not JsonObject pod)
        {
            return [FieldError.Required(path)];
        }
        var errors = new List<FieldError>();
        var volumes = VolumeValidation.Validate(pod["volumes"], $"{path}.volumes", errors);
        volumes.UnionWith(claimVolumes ?? []);
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (pod["containers"] is not JsonArray { Count: > 0 } containers)
        {
            errors.Add(FieldError.Required($"{path}.containers"));
        }
        else
        {
            for (var i = 0; i < containers.Count; i++)
            {
                ContainerValidation.Validate(containers[i], $"{path}.containers[{i}]", names, volumes, init: false, errors);
            }
        }
        if (pod["initContainers"] is JsonArray initContainers)
        {
            for (var i = 0; i < initContainers.Count; i++)
            {
                ContainerValidation.Validate(initContainers[i], $"{path}.initContainers[{i}]", names, volumes, init: true, errors);
            }
        }
        var allowed = restartPolicies ?? s_restartPolicies;
        if (pod["restartPolicy"].AsText() is { } policy && !allowed.Contains(policy))
        {
            errors.Add(FieldError.NotSupported($"{path}.restartPolicy", policy, allowed));
        }
        return errors;
    }
}
