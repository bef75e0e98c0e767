using System.Text.Json.Nodes;
using Berth.Kube.Resources;

namespace Berth.Kube.Api;

/// <summary>Server-side printing: a meta.k8s.io/v1 Table with the kind's columns, one row per object.</summary>
internal static class TablePrinter
{
    public static JsonObject Print(ResourceType type, IEnumerable<JsonObject> objects, string? resourceVersion, string? continueToken,
        DateTimeOffset now, bool withColumns = true)
    {
        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }
        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }
        var table = new JsonObject { ["kind"] = "Table", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = metadata };
        if (withColumns)
        {
            table["columnDefinitions"] = new JsonArray([.. type.Strategy.Columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            })]);
        }
        table["rows"] = new JsonArray([.. objects.Select(obj => (JsonNode)Row(type, obj, now))]);
        return table;
    }

    private static JsonObject Row(ResourceType type, JsonObject obj, DateTimeOffset now) => new()
    {
        ["cells"] = new JsonArray([.. type.Strategy.Columns.Select(c => c.Cell(obj, now)?.DeepClone())]),
        ["object"] = new JsonObject
        {
            ["kind"] = "PartialObjectMetadata",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = obj["metadata"]?.DeepClone(),
        },
    };
}
