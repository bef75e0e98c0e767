using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

internal sealed class SecretStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Type", "string", "", "The type of the secret", 0, (obj, _) => obj["type"]?.GetValue<string>()),
        new("Data", "string", "", "The number of data items in the secret", 0, (obj, _) => (obj["data"] as JsonObject)?.Count ?? 0),
        TableColumn.AgeColumn(),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
        obj["type"] ??= "Opaque";
        // stringData is write-only: folded into data (base64) and never stored.
        if (obj["stringData"] is JsonObject stringData)
        {
            var data = obj["data"] as JsonObject ?? (JsonObject)(obj["data"] = new JsonObject());
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
            }
            obj.Remove("stringData");
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => ObjectMetaValidation.Name(obj, label: false);
}
