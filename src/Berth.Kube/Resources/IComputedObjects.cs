using System.Text.Json.Nodes;

namespace Berth.Kube.Resources;

/// <summary>
/// Makes the objects of a kind that the server computes when asked and never stores, as metrics-server makes
/// NodeMetrics and PodMetrics: the handler serves them to get and list, with selectors and tables as any kind's.
/// </summary>
internal interface IComputedObjects
{
    bool Handles(ResourceType type);

    /// <summary>Every object of the kind in <paramref name="ns"/> (every namespace when null), with their labels.</summary>
    Task<IReadOnlyList<JsonObject>> ListAsync(string cluster, ResourceType type, string? ns, CancellationToken cancellationToken);
}
