using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.ApiExtensions;

/// <summary>
/// CustomResourceDefinitions (apiextensions.k8s.io/v1): defaults and checks as apiextensions-apiserver applies
/// them. What a CRD serves is registered by <see cref="Controllers.CustomResourceDefinitionController"/>.
/// </summary>
internal sealed partial class CustomResourceDefinitionStrategy : IResourceStrategy
{
    /// <summary>Holds a CRD until every custom resource of it is gone.</summary>
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Created At", "date", "", "The time the resource was created.", 0, (obj, _) => obj["metadata"]?["creationTimestamp"].AsText()),
    ];

    public bool HasStatus => true;

    public IReadOnlyList<string> Categories { get; } = ["api-extensions"];

    public bool TracksGeneration => true;

    public void ApplyDefaults(JsonObject obj)
    {
        var metadata = (JsonObject)obj["metadata"]!;
        if (metadata["deletionTimestamp"] is null)
        {
            var finalizers = metadata["finalizers"] as JsonArray ?? (JsonArray)(metadata["finalizers"] = new JsonArray());
            if (!finalizers.Any(f => f.AsText() == CleanupFinalizer))
            {
                finalizers.Add(CleanupFinalizer);
            }
        }
        if (obj["spec"]?["names"] is JsonObject names && names["kind"].AsText() is { Length: > 0 } kind)
        {
            names["singular"] ??= kind.ToLowerInvariant();
            names["listKind"] ??= kind + "List";
        }
        if (obj["spec"] is JsonObject spec)
        {
            spec["conversion"] ??= new JsonObject { ["strategy"] = "None" };
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        var errors = new List<FieldError>();
        var spec = obj["spec"] as JsonObject;
        var group = spec?["group"].AsText();
        var names = spec?["names"] as JsonObject;
        var plural = names?["plural"].AsText();
        var name = obj["metadata"]?["name"].AsText() ?? "";
        if (string.IsNullOrEmpty(group))
        {
            errors.Add(FieldError.Required("spec.group"));
        }
        else if (!group.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid("spec.group", group, "should be a domain with at least one dot"));
        }
        if (string.IsNullOrEmpty(plural))
        {
            errors.Add(FieldError.Required("spec.names.plural"));
        }
        else if (!ObjectMetaValidation.IsLabel(plural))
        {
            errors.Add(FieldError.Invalid("spec.names.plural", plural, ObjectMetaValidation.LabelMessage));
        }
        if (names?["kind"].AsText() is not { Length: > 0 } kind)
        {
            errors.Add(FieldError.Required("spec.names.kind"));
        }
        else if (!KindPattern().IsMatch(kind))
        {
            errors.Add(FieldError.Invalid("spec.names.kind", kind, "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?"));
        }
        if (!string.IsNullOrEmpty(group) && !string.IsNullOrEmpty(plural) && name != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
        }
        if (spec?["scope"].AsText() is not ("Namespaced" or "Cluster"))
        {
            errors.Add(new FieldError("spec.scope", "FieldValueNotSupported",
                $"Unsupported value: \"{spec?["scope"].AsText()}\": supported values: \"Cluster\", \"Namespaced\""));
        }
        if (spec?["versions"] is not JsonArray { Count: > 0 } versions)
        {
            errors.Add(FieldError.Required("spec.versions"));
            return errors;
        }
        var storage = 0;
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i] as JsonObject;
            var path = $"spec.versions[{i}]";
            if (version?["name"].AsText() is not { Length: > 0 } versionName || !ObjectMetaValidation.IsLabel(versionName))
            {
                errors.Add(FieldError.Invalid($"{path}.name", version?["name"].AsText() ?? "", ObjectMetaValidation.LabelMessage));
            }
            storage += version?["storage"].AsBool() == true ? 1 : 0;
            if (version?["schema"]?["openAPIV3Schema"] is not JsonObject schema)
            {
                errors.Add(new FieldError($"{path}.schema.openAPIV3Schema", "FieldValueRequired", "Required value: schemas are required"));
            }
            else if (schema["type"].AsText() != "object")
            {
                errors.Add(FieldError.Invalid($"{path}.schema.openAPIV3Schema.type", schema["type"].AsText() ?? "", "must be object at the root"));
            }
        }
        if (storage != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", versions.ToJsonString(), "must have exactly one version marked as storage version"));
        }
        return errors;
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        var errors = Validate(obj).ToList();
        foreach (var field in new[] { "group", "scope" })
        {
            if (obj["spec"]?[field].AsText() != old["spec"]?[field].AsText())
            {
                errors.Add(FieldError.Invalid($"spec.{field}", obj["spec"]?[field].AsText() ?? "", "field is immutable"));
            }
        }
        return errors;
    }

    [GeneratedRegex("^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")]
    private static partial Regex KindPattern();
}
