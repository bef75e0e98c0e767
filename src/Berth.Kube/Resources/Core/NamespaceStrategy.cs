using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

internal sealed class NamespaceStrategy : IResourceStrategy
{
    /// <summary>The namespaces every cluster has, which may not be deleted.</summary>
    public static readonly IReadOnlyList<string> SystemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public IReadOnlyCollection<string> FieldLabels { get; } = ["status.phase"];

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Status", "string", "", "The status of the namespace", 0, (obj, _) => obj["status"]?["phase"].AsText()),
        TableColumn.AgeColumn(),
    ];

    public bool HasStatus => true;

    public void ApplyDefaults(JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? (JsonObject)(obj["spec"] = new JsonObject());
        spec["finalizers"] ??= new JsonArray("kubernetes");
        var status = obj["status"] as JsonObject ?? (JsonObject)(obj["status"] = new JsonObject());
        status["phase"] ??= "Active";
        // Every namespace carries its own name as a label, so selectors can pick namespaces by name.
        var metadata = (JsonObject)obj["metadata"]!;
        var labels = metadata["labels"] as JsonObject ?? (JsonObject)(metadata["labels"] = new JsonObject());
        labels["kubernetes.io/metadata.name"] = metadata["name"].AsText();
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => ObjectMetaValidation.Name(obj, label: true);
}
