using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources;

/// <summary>
/// One column of server-side printing: its definition and how to compute its cell. Priority 0 columns
/// are printed by default; priority 1 columns only with <c>-o wide</c>.
/// </summary>
internal sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority, Func<JsonObject, DateTimeOffset, JsonNode?> Cell)
{
    public static TableColumn NameColumn() => new("Name", "string", "name",
        "Name must be unique within a namespace.", 0, (obj, _) => obj["metadata"]?["name"].AsText());

    public static TableColumn AgeColumn() => new("Age", "string", "",
        "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
        (obj, now) => DateTimeOffset.TryParse(obj["metadata"]?["creationTimestamp"].AsText(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var created)
            ? HumanDuration.Format(now - created)
            : "<unknown>");
}
