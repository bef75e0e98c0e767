using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>What PersistentVolumes and their claims share: access modes, volume modes and how both are printed.</summary>
internal static class PersistentVolumeText
{
    public const string StorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    /// <summary>The access modes, sorted as Kubernetes lists them in its messages.</summary>
    public static readonly IReadOnlyList<string> AccessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

    public static readonly IReadOnlyList<string> VolumeModes = ["Block", "Filesystem"];

    /// <summary>A volume or claim starts <c>Pending</c>, until something binds it.</summary>
    public static void DefaultPhase(JsonObject obj)
    {
        var status = obj["status"] as JsonObject ?? (JsonObject)(obj["status"] = new JsonObject());
        if (status["phase"].AsText() is null or "")
        {
            status["phase"] = "Pending";
        }
    }

    private static readonly (string Mode, string Short)[] s_short =
        [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")];

    /// <summary>"RWO,ROX,RWX,RWOP": each mode present, once, always in that order.</summary>
    public static string FormatAccessModes(JsonNode? modes)
    {
        var present = (modes as JsonArray ?? []).Select(m => m.AsText()).ToHashSet();
        return string.Join(",", s_short.Where(s => present.Contains(s.Mode)).Select(s => s.Short));
    }

    /// <summary>The storage class: the beta annotation first, as Kubernetes reads it, then the field.</summary>
    public static string StorageClass(JsonObject obj, string? field) =>
        (obj["metadata"]?["annotations"] as JsonObject)?[StorageClassAnnotation].AsText() ?? field ?? "";

    public static IEnumerable<FieldError> ValidateAccessModes(JsonNode? node, string path, string? requiredDetail)
    {
        var modes = (node as JsonArray ?? []).Select(m => m.AsText()).ToList();
        if (modes.Count == 0)
        {
            yield return requiredDetail is null ? FieldError.Required(path) : FieldError.Required(path, requiredDetail);
            yield break;
        }
        foreach (var mode in modes.Where(m => m is null || !AccessModes.Contains(m)))
        {
            yield return FieldError.NotSupported(path, mode, AccessModes);
        }
        if (modes.Contains("ReadWriteOncePod") && modes.Count > 1)
        {
            yield return FieldError.Forbidden(path, "may not use ReadWriteOncePod with other access modes");
        }
    }

    public static IEnumerable<FieldError> ValidateClassAndMode(JsonObject spec, string path)
    {
        if (spec["storageClassName"].AsText() is { Length: > 0 } className && !ObjectMetaValidation.IsSubdomain(className))
        {
            yield return FieldError.Invalid($"{path}.storageClassName", className, ObjectMetaValidation.SubdomainMessage);
        }
        if (spec["volumeMode"].AsText() is { } mode && !VolumeModes.Contains(mode))
        {
            yield return FieldError.NotSupported($"{path}.volumeMode", mode, VolumeModes);
        }
    }
}
