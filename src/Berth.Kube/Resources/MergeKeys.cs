using Berth.Kube.Api.Patching;

namespace Berth.Kube.Resources;

/// <summary>
/// The strategic-merge keys of Kubernetes' types (their <c>patchMergeKey</c> tags), by field path. Lists not
/// named here are replaced whole by a strategic merge patch, as they are in Kubernetes.
/// </summary>
internal static class MergeKeys
{
    /// <summary>Keys every object has, in its metadata.</summary>
    public static IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string>
    {
        ["metadata.finalizers"] = StrategicMergePatch.PrimitiveSet,
        ["metadata.ownerReferences"] = "uid",
    };

    /// <summary>The keys of a pod spec found at <paramref name="path"/>, with the metadata keys.</summary>
    public static IReadOnlyDictionary<string, string> ForPodSpecAt(string path)
    {
        var keys = new Dictionary<string, string>(Metadata);
        foreach (var containers in new[] { "containers", "initContainers", "ephemeralContainers" })
        {
            var list = $"{path}.{containers}";
            keys[list] = "name";
            keys[$"{list}.ports"] = "containerPort";
            keys[$"{list}.env"] = "name";
            keys[$"{list}.volumeMounts"] = "mountPath";
            keys[$"{list}.volumeDevices"] = "devicePath";
        }
        keys[$"{path}.volumes"] = "name";
        keys[$"{path}.imagePullSecrets"] = "name";
        keys[$"{path}.hostAliases"] = "ip";
        keys[$"{path}.resourceClaims"] = "name";
        keys[$"{path}.schedulingGates"] = "name";
        return keys;
    }
}
