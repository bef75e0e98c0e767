using System.Text.Json.Nodes;
using Berth.Kube.Api;

namespace Berth.Kube.Resources;

/// <summary>What differs between kinds: defaults, validation, and the columns <c>kubectl get</c> prints.</summary>
internal interface IResourceStrategy
{
    /// <summary>Fills defaults in a new or replaced object, as the API server does before validation.</summary>
    void ApplyDefaults(JsonObject obj);

    /// <summary>The fields of <paramref name="obj"/> that are invalid for this kind; empty when valid.</summary>
    IEnumerable<FieldError> Validate(JsonObject obj);

    IReadOnlyList<TableColumn> Columns { get; }
}
