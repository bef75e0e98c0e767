using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Apps;

/// <summary>
/// ControllerRevisions (apps/v1): an immutable snapshot of a StatefulSet's or DaemonSet's pod template at one
/// revision, which rollouts compare against and <c>kubectl rollout undo</c> returns to.
/// </summary>
internal sealed class ControllerRevisionStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Controller", "string", "", "Controller of the object", 0, (obj, _) => ControllerOf(obj)),
        new("Revision", "integer", "", "Revision indicates the revision of the state represented by Data.", 0,
            (obj, _) => obj["revision"].AsLong() ?? 0),
        TableColumn.AgeColumn(),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var error in ObjectMetaValidation.Name(obj, label: false))
        {
            yield return error;
        }
        if (obj["data"] is null)
        {
            yield return FieldError.Required("data", "data is mandatory");
        }
        if (obj["revision"].AsLong() is < 0 and var revision)
        {
            yield return FieldError.Invalid("revision", revision, "must be greater than or equal to 0");
        }
    }

    public IEnumerable<FieldError> ValidateUpdate(JsonObject obj, JsonObject old)
    {
        foreach (var error in Validate(obj))
        {
            yield return error;
        }
        if (!JsonNode.DeepEquals(obj["data"], old["data"]))
        {
            yield return new FieldError("data", "FieldValueInvalid", "Invalid value: \"\": field is immutable");
        }
    }

    /// <summary>The controlling owner as kubectl prints it: <c>statefulset.apps/web</c>.</summary>
    private static string ControllerOf(JsonObject obj)
    {
        var owner = (obj["metadata"]?["ownerReferences"] as JsonArray ?? []).FirstOrDefault(r => r?["controller"]?.GetValue<bool>() == true);
        if (owner is null)
        {
            return "<none>";
        }
        var group = (owner["apiVersion"].AsText() ?? "").Split('/') is [var g, _] ? "." + g : "";
        return $"{owner["kind"].AsText()?.ToLowerInvariant()}{group}/{owner["name"].AsText()}";
    }
}
