using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Schema;

namespace Berth.Kube.Resources.ApiExtensions;

/// <summary>
/// The strategy of one served version of a CRD: checks against the version's schema, the printer columns it
/// names, and the status subresource when it asks for one.
/// </summary>
internal sealed class CustomResourceStrategy : IResourceStrategy
{
    private readonly TypeSchema _schema;

    public CustomResourceStrategy(JsonObject version, TypeSchema schema, IReadOnlyList<string> categories)
    {
        _schema = schema;
        Categories = categories;
        HasStatus = version["subresources"]?["status"] is JsonObject;
        var columns = new List<TableColumn> { TableColumn.NameColumn() };
        var printer = (version["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var column in printer)
        {
            var path = column["jsonPath"].AsText() ?? "";
            var type = column["type"].AsText() ?? "string";
            columns.Add(new TableColumn(column["name"].AsText() ?? path, type, column["format"].AsText() ?? "",
                column["description"].AsText() ?? "", (int)(column["priority"].AsLong() ?? 0),
                (obj, now) => Cell(SimpleJsonPath.Evaluate(obj, path), type, now)));
        }
        if (printer.Count == 0)
        {
            columns.Add(TableColumn.AgeColumn());
        }
        Columns = columns;
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public bool HasStatus { get; }

    public IReadOnlyList<string> Categories { get; }

    public bool TracksGeneration => true;

    public void ApplyDefaults(JsonObject obj) => SchemaDefaulter.Apply(obj, _schema);

    public IEnumerable<FieldError> Validate(JsonObject obj) =>
        ObjectMetaValidation.Name(obj, label: false).Concat(SchemaValidator.Validate(obj, _schema).Where(e => !e.Field.StartsWith("metadata", StringComparison.Ordinal)));

    /// <summary>A printer column's cell: dates as ages, as kubectl prints them; other values as they are.</summary>
    private static JsonNode? Cell(JsonNode? value, string type, DateTimeOffset now)
    {
        if (value is null)
        {
            return null;
        }
        if (type == "date" && DateTimeOffset.TryParse(value.AsText(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return HumanDuration.Format(now - at);
        }
        return value is JsonValue scalar && scalar.GetValueKind() != JsonValueKind.String && type == "string" ? scalar.ToJsonString() : value.DeepClone();
    }
}
