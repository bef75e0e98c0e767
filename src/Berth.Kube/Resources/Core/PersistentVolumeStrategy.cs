using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>PersistentVolumes: a piece of storage of exactly one volume type, whose source never changes once created.</summary>
internal sealed class PersistentVolumeStrategy : IResourceStrategy
{
    /// <summary>The fields of a PersistentVolumeSpec that each name a volume type.</summary>
    private static readonly string[] s_sources =
    [
        "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "fc", "flexVolume", "flocker", "gcePersistentDisk",
        "glusterfs", "hostPath", "iscsi", "local", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO",
        "storageos", "vsphereVolume",
    ];

    private static readonly string[] s_reclaimPolicies = ["Delete", "Recycle", "Retain"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Capacity", "string", "", "capacity is the description of the persistent volume's resources and capacity.", 0,
            (obj, _) => obj["spec"]?["capacity"]?["storage"].AsText() ?? "0"),
        new("Access Modes", "string", "", "accessModes contains all ways the volume can be mounted.", 0,
            (obj, _) => PersistentVolumeText.FormatAccessModes(obj["spec"]?["accessModes"])),
        new("Reclaim Policy", "string", "", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.", 0,
            (obj, _) => obj["spec"]?["persistentVolumeReclaimPolicy"].AsText() ?? ""),
        new("Status", "string", "", "phase indicates if a volume is available, bound to a claim, or released by a claim.", 0,
            (obj, _) => obj["metadata"]?["deletionTimestamp"] is not null ? "Terminating" : obj["status"]?["phase"].AsText() ?? ""),
        new("Claim", "string", "", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.", 0,
            (obj, _) => obj["spec"]?["claimRef"] is JsonObject claim ? $"{claim["namespace"].AsText()}/{claim["name"].AsText()}" : ""),
        new("StorageClass", "string", "", "StorageClass of the pv", 0,
            (obj, _) => PersistentVolumeText.StorageClass(obj, obj["spec"]?["storageClassName"].AsText())),
        new("VolumeAttributesClass", "string", "", "VolumeAttributesClass of the pv", 0,
            (obj, _) => obj["spec"]?["volumeAttributesClassName"].AsText() ?? "<unset>"),
        new("Reason", "string", "", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.", 0,
            (obj, _) => obj["status"]?["reason"].AsText() ?? ""),
        TableColumn.AgeColumn(),
        new("VolumeMode", "string", "", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", 1,
            (obj, _) => obj["spec"]?["volumeMode"].AsText() ?? "<unset>"),
    ];

    public bool HasStatus => true;

    public IReadOnlyCollection<string> FieldLabels { get; } = ["status.phase"];

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["persistentVolumeReclaimPolicy"] ??= "Retain";
        spec["volumeMode"] ??= "Filesystem";
        if (spec["hostPath"] is JsonObject hostPath)
        {
            hostPath["type"] ??= "";
        }
        PersistentVolumeText.DefaultPhase(obj);
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var spec = (JsonObject)obj["spec"]!;
        errors.AddRange(PersistentVolumeText.ValidateAccessModes(spec["accessModes"], "spec.accessModes", requiredDetail: null));
        if (spec["capacity"] is not JsonObject { Count: > 0 } capacity)
        {
            errors.Add(FieldError.Required("spec.capacity"));
        }
        else if (capacity.Count > 1 || capacity["storage"] is null)
        {
            errors.Add(FieldError.NotSupported("spec.capacity", string.Join(",", capacity.Select(c => c.Key)), ["storage"]));
        }
        else if (Quantity.Parse(capacity["storage"].AsText()) is not { } size)
        {
            errors.Add(FieldError.Invalid("spec.capacity[storage]", capacity["storage"].AsText() ?? "", Quantity.FormatMessage));
        }
        else if (size <= 0)
        {
            errors.Add(FieldError.Invalid("spec.capacity[storage]", capacity["storage"].AsText()!, "must be greater than zero"));
        }
        if (spec["persistentVolumeReclaimPolicy"].AsText() is { } policy && !s_reclaimPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported("spec.persistentVolumeReclaimPolicy", policy, s_reclaimPolicies));
        }
        errors.AddRange(PersistentVolumeText.ValidateClassAndMode(spec, "spec"));
        var sources = s_sources.Where(s => spec[s] is JsonObject).ToList();
        if (sources.Count == 0)
        {
            errors.Add(FieldError.Required("spec", "must specify a volume type"));
        }
        errors.AddRange(sources.Skip(1).Select(s => FieldError.Forbidden($"spec.{s}", "may not specify more than 1 volume type")));
        if (spec["hostPath"] is JsonObject hostPath && hostPath["path"].AsText() is not { Length: > 0 })
        {
            errors.Add(FieldError.Required("spec.hostPath.path"));
        }
        if (spec["local"] is JsonObject && spec["nodeAffinity"] is null)
        {
            errors.Add(FieldError.Required("spec.nodeAffinity", "Local volume requires node affinity"));
        }
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        var spec = obj["spec"] as JsonObject ?? [];
        var was = old["spec"] as JsonObject ?? [];
        if (s_sources.Any(s => !JsonNode.DeepEquals(spec[s], was[s])))
        {
            yield return FieldError.Forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation");
        }
        if (spec["volumeMode"].AsText() != was["volumeMode"].AsText())
        {
            yield return FieldError.Immutable("volumeMode", spec["volumeMode"].AsText() ?? "");
        }
    }
}
