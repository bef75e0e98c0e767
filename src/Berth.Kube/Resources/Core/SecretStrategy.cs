using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

internal sealed class SecretStrategy : IResourceStrategy
{
    public IReadOnlyCollection<string> FieldLabels { get; } = ["type"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Type", "string", "", "The type of the secret", 0, (obj, _) => obj["type"].AsText()),
        new("Data", "string", "", "The number of data items in the secret", 0, (obj, _) => (obj["data"] as JsonObject)?.Count ?? 0),
        TableColumn.AgeColumn(),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
        obj["type"] ??= "Opaque";
        // stringData is write-only: folded into data (base64) and never stored. Left in place when malformed,
        // for validation to name.
        if (obj["stringData"] is JsonObject stringData && stringData.All(p => p.Value?.GetValueKind() == JsonValueKind.String))
        {
            var data = obj["data"] as JsonObject ?? (JsonObject)(obj["data"] = new JsonObject());
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value!.GetValue<string>()));
            }
            obj.Remove("stringData");
        }
    }

    public IEnumerable<FieldError> Validate(JsonObject obj)
    {
        foreach (var error in ObjectMetaValidation.Name(obj, label: false))
        {
            yield return error;
        }
        if (obj["type"]?.GetValueKind() != JsonValueKind.String)
        {
            yield return new FieldError("type", "FieldValueInvalid", "Invalid value: must be a string");
        }
        if (obj["stringData"] is not null)
        {
            yield return new FieldError("stringData", "FieldValueInvalid", "Invalid value: must map keys to strings");
        }
        foreach (var error in DataValidation.Map(obj, "data", base64: true))
        {
            yield return error;
        }
    }
}
