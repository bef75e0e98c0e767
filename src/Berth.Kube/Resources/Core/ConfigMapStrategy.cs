using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

internal sealed class ConfigMapStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Data", "string", "", "Data contains the configuration data.", 0,
            (obj, _) => ((obj["data"] as JsonObject)?.Count ?? 0) + ((obj["binaryData"] as JsonObject)?.Count ?? 0)),
        TableColumn.AgeColumn(),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) =>
        ObjectMetaValidation.Name(obj, label: false)
            .Concat(DataValidation.Map(obj, "data", base64: false))
            .Concat(DataValidation.Map(obj, "binaryData", base64: true));
}
