using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Workloads;

/// <summary>A pod's volumes as kube-apiserver checks them: named once each, and exactly one source apiece.</summary>
internal static class VolumeValidation
{
    /// <summary>Every volume source of the core API, in the order Kubernetes counts them.</summary>
    private static readonly string[] s_sources =
    [
        "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
        "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile",
        "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume",
        "scaleIO", "storageos", "csi", "ephemeral", "image",
    ];

    /// <summary>Adds the volumes' errors and returns their names, which volume mounts must name.</summary>
    public static HashSet<string> Validate(JsonNode? volumes, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (volumes is not JsonArray list)
        {
            return names;
        }
        for (var i = 0; i < list.Count; i++)
        {
            var at = $"{path}[{i}]";
            if (list[i] is not JsonObject volume)
            {
                errors.Add(FieldError.Required(at));
                continue;
            }
            var sources = s_sources.Where(volume.ContainsKey).ToList();
            if (sources.Count == 0)
            {
                errors.Add(FieldError.Required(at, "must specify a volume type"));
            }
            errors.AddRange(sources.Skip(1).Select(extra => FieldError.Forbidden($"{at}.{extra}", "may not specify more than 1 volume type")));
            if (volume["name"].AsText() is not { Length: > 0 } name)
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else if (!ObjectMetaValidation.IsLabel(name))
            {
                errors.Add(FieldError.Invalid($"{at}.name", name, ObjectMetaValidation.LabelMessage));
            }
            else if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate($"{at}.name", name));
            }
        }
        return names;
    }
}
