using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources.Core;

/// <summary>ServiceAccounts: identities for processes, which get tokens through their <c>token</c> subresource.</summary>
internal sealed class ServiceAccountStrategy : IResourceStrategy
{
    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.NameColumn(),
        new("Secrets", "string", "", "The number of secrets the service account names.", 0, (obj, _) => (obj["secrets"] as JsonArray)?.Count ?? 0),
        TableColumn.AgeColumn(),
    ];

    public void ApplyDefaults(JsonObject obj)
    {
    }

    public IEnumerable<FieldError> Validate(JsonObject obj) => ObjectMetaValidation.Name(obj, label: false);
}
