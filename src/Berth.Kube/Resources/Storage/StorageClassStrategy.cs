using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Storage;

/// <summary>StorageClasses (storage.k8s.io/v1): how volumes of a class are provisioned; provisioner, parameters and reclaim policy never change.</summary>
internal sealed class StorageClassStrategy : IResourceStrategy
{
    public const string DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
    private const string BetaDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class";
    private const int MaxParameterBytes = 256 * 1024;

    private static readonly string[] s_reclaimPolicies = ["Delete", "Retain"];
    private static readonly string[] s_bindingModes = ["Immediate", "WaitForFirstConsumer"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Name", "string", "name", "Name must be unique within a namespace.", 0, (obj, _) => IsDefault(obj)
            ? $"{obj["metadata"]?["name"].AsText()} (default)"
            : obj["metadata"]?["name"].AsText()),
        new("Provisioner", "string", "", "provisioner indicates the type of the provisioner.", 0, (obj, _) => obj["provisioner"].AsText() ?? ""),
        new("ReclaimPolicy", "string", "", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.", 0,
            (obj, _) => obj["reclaimPolicy"].AsText() ?? "Delete"),
        new("VolumeBindingMode", "string", "", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.", 0,
            (obj, _) => obj["volumeBindingMode"].AsText() ?? "Immediate"),
        new("AllowVolumeExpansion", "string", "", "allowVolumeExpansion shows whether the storage class allow volume expand.", 0,
            (obj, _) => obj["allowVolumeExpansion"].AsBool() ?? false),
        TableColumn.AgeColumn(),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
        obj["reclaimPolicy"] ??= "Delete";
        obj["volumeBindingMode"] ??= "Immediate";
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = ObjectMetaValidation.Name(obj, label: false).ToList();
        var provisioner = obj["provisioner"].AsText() ?? "";
        if (provisioner.Length == 0)
        {
            errors.Add(FieldError.Required("provisioner"));
        }
        else
        {
            errors.AddRange(ObjectMetaValidation.QualifiedName(provisioner.ToLowerInvariant()).Select(m => FieldError.Invalid("provisioner", provisioner, m)));
        }
        var parameters = obj["parameters"] as JsonObject ?? [];
        var size = 0;
        foreach (var (key, value) in parameters)
        {
            if (key.Length == 0)
            {
                errors.Add(FieldError.Invalid("parameters", key, "field can not be empty."));
            }
            size += key.Length + (value.AsText()?.Length ?? 0);
        }
        if (size > MaxParameterBytes)
        {
            errors.Add(new FieldError("parameters", "FieldValueTooLong", $"Too long: may not be more than {MaxParameterBytes} bytes"));
        }
        if (obj["reclaimPolicy"].AsText() is { } policy && !s_reclaimPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported("reclaimPolicy", policy, s_reclaimPolicies));
        }
        if (obj["volumeBindingMode"].AsText() is { } mode && !s_bindingModes.Contains(mode))
        {
            errors.Add(FieldError.NotSupported("volumeBindingMode", mode, s_bindingModes));
        }
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        if (!JsonNode.DeepEquals(obj["parameters"], old["parameters"]))
        {
            yield return FieldError.Forbidden("parameters", "updates to parameters are forbidden.");
        }
        if (obj["provisioner"].AsText() != old["provisioner"].AsText())
        {
            yield return FieldError.Forbidden("provisioner", "updates to provisioner are forbidden.");
        }
        if (obj["reclaimPolicy"].AsText() != old["reclaimPolicy"].AsText())
        {
            yield return FieldError.Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.");
        }
        if (obj["volumeBindingMode"].AsText() != old["volumeBindingMode"].AsText())
        {
            yield return FieldError.Immutable("volumeBindingMode", obj["volumeBindingMode"].AsText() ?? "");
        }
    }

    /// <summary>Whether the class is marked default, by the annotation or its beta form.</summary>
    public static bool IsDefault(JsonObject obj) =>
        obj["metadata"]?["annotations"] is JsonObject annotations
        && (annotations[DefaultClassAnnotation].AsText() == "true" || annotations[BetaDefaultClassAnnotation].AsText() == "true");
}
