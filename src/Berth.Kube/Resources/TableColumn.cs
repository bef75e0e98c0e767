using System.Text.Json.Nodes;

namespace Berth.Kube.Resources;

/// <summary>
/// One column of server-side printing: its definition and how to compute its cell. Priority 0 columns
/// are printed by default; priority 1 columns only with <c>-o wide</c>.
/// </summary>
internal sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority, Func<JsonObject, DateTimeOffset, JsonNode?> Cell)
{
    public static TableColumn NameColumn() => new("Name", "string", "name",
        "Name must be unique within a namespace.", 0, (obj, _) => obj["metadata"]?["name"]?.GetValue<string>());

    public static TableColumn AgeColumn() => new("Age", "string", "",
        "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
        (obj, now) => obj["metadata"]?["creationTimestamp"]?.GetValue<string>() is { } created
            ? HumanDuration.Format(now - DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture))
            : "<unknown>");
}
