using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>
/// PersistentVolumeClaims: a request for storage. Once made, only the storage it requests (upwards, once bound), the
/// volume it binds to (once) and its volume attributes class may change.
/// </summary>
internal sealed class PersistentVolumeClaimStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Status", "string", "", "phase represents the current phase of PersistentVolumeClaim.", 0,
            (obj, _) => obj["metadata"]?["deletionTimestamp"] is not null ? "Terminating" : obj["status"]?["phase"].AsText() ?? ""),
        new("Volume", "string", "", "volumeName is the binding reference to the PersistentVolume backing this claim.", 0,
            (obj, _) => obj["spec"]?["volumeName"].AsText() ?? ""),
        new("Capacity", "string", "", "capacity represents the actual resources of the underlying volume.", 0,
            (obj, _) => Bound(obj) ? obj["status"]?["capacity"]?["storage"].AsText() ?? "0" : ""),
        new("Access Modes", "string", "", "accessModes contains the actual access modes the volume backing the PVC has.", 0,
            (obj, _) => Bound(obj) ? PersistentVolumeText.FormatAccessModes(obj["status"]?["accessModes"]) : ""),
        new("StorageClass", "string", "", "StorageClass of the pvc", 0,
            (obj, _) => PersistentVolumeText.StorageClass(obj, obj["spec"]?["storageClassName"].AsText())),
        new("VolumeAttributesClass", "string", "", "VolumeAttributesClass of the pvc", 0,
            (obj, _) => obj["spec"]?["volumeAttributesClassName"].AsText() ?? "<unset>"),
        TableColumn.AgeColumn(),
        new("VolumeMode", "string", "", "volumeMode defines what type of volume is required by the claim.", 1,
            (obj, _) => obj["spec"]?["volumeMode"].AsText() ?? "<unset>"),
    ];

    public bool HasStatus => true;

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["volumeMode"] ??= "Filesystem";
        PersistentVolumeText.DefaultPhase(obj);
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var spec = (JsonObject)obj["spec"]!;
        errors.AddRange(PersistentVolumeText.ValidateAccessModes(spec["accessModes"], "spec.accessModes", "at least 1 access mode is required"));
        var storage = spec["resources"]?["requests"]?["storage"];
        if (storage is null)
        {
            errors.Add(FieldError.Required("spec.resources[storage]"));
        }
        else if (Quantity.Parse(storage.AsText()) is not { } size)
        {
            errors.Add(FieldError.Invalid("spec.resources[storage]", storage.AsText() ?? storage.ToJsonString(), Quantity.FormatMessage));
        }
        else if (size <= 0)
        {
            errors.Add(FieldError.Invalid("spec.resources[storage]", storage.AsText()!, "must be greater than zero"));
        }
        errors.AddRange(PersistentVolumeText.ValidateClassAndMode(spec, "spec"));
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        var spec = (JsonObject)(obj["spec"]?.DeepClone() ?? new JsonObject());
        var was = (JsonObject)(old["spec"]?.DeepClone() ?? new JsonObject());
        void TakeNew(string field)
        {
            if (spec.ContainsKey(field))
            {
                was[field] = spec[field]?.DeepClone();
            }
            else
            {
                was.Remove(field);
            }
        }
        if (was["volumeName"].AsText() is null or "")
        {
            TakeNew("volumeName"); // a claim binds to its volume once
        }
        if (!was.ContainsKey("storageClassName"))
        {
            TakeNew("storageClassName"); // the default class, assigned after creation
        }
        if (obj["status"]?["phase"].AsText() == "Bound" && spec["resources"]?["requests"] is JsonObject requests)
        {
            requests["storage"] = was["resources"]?["requests"]?["storage"]?.DeepClone();
        }
        spec.Remove("volumeAttributesClassName");
        was.Remove("volumeAttributesClassName");
        if (!JsonNode.DeepEquals(spec, was))
        {
            yield return FieldError.Forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims");
        }
        if (Quantity.Parse(obj["spec"]?["resources"]?["requests"]?["storage"].AsText()) is { } newSize
            && Quantity.Parse(old["spec"]?["resources"]?["requests"]?["storage"].AsText()) is { } oldSize && newSize < oldSize)
        {
            yield return FieldError.Forbidden("spec.resources.requests.storage", "field can not be less than previous value");
        }
    }

    private static bool Bound(JsonObject obj) => obj["spec"]?["volumeName"].AsText() is { Length: > 0 };
}
