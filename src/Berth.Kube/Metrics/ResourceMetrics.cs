using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Metrics;
using Berth.Store;

namespace Berth.Kube.Metrics;

/// <summary>
/// metrics.k8s.io's NodeMetrics and PodMetrics, made when asked from the nodes and pods in the store and the usage
/// the scraper read, as metrics-server's API makes them: labels of the node or pod (so label selectors work),
/// <c>creationTimestamp</c> now, the reading's <c>timestamp</c> and <c>window</c>, CPU in nanocores and memory in bytes.
/// Nodes and pods without usage yet are left out, and <c>kubectl top</c> says so itself.
/// </summary>
internal sealed class ResourceMetrics(IStore store, ResourceRegistry registry, UsageSamples samples, TimeProvider time) : IComputedObjects
{
    public const string Group = "metrics.k8s.io";

    public bool Handles(ResourceType type) => type.Group == Group;

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string cluster, ResourceType type, string? ns, CancellationToken cancellationToken)
    {
        samples.Ask();
        var pods = type.Plural == "pods";
        var source = registry.Find("", "v1", type.Plural)!;
        var listed = await store.ListAsync(ObjectStorage.Prefix(cluster, source, ns), new ListOptions(), cancellationToken);
        var now = KubeTime.Format(time.GetUtcNow());
        var items = new List<JsonObject>();
        foreach (var entry in listed.Items)
        {
            var obj = ObjectStorage.Decode(source, entry);
            var metadata = obj["metadata"]!;
            if ((pods ? Pod(metadata) : Node(metadata)) is not { } usage)
            {
                continue;
            }
            var made = new JsonObject
            {
                ["kind"] = type.Kind,
                ["apiVersion"] = type.ApiVersion,
                ["metadata"] = new JsonObject { ["name"] = metadata["name"]?.DeepClone() },
            };
            if (metadata["namespace"] is { } itsNamespace)
            {
                made["metadata"]!["namespace"] = itsNamespace.DeepClone();
            }
            made["metadata"]!["creationTimestamp"] = now;
            made["metadata"]!["labels"] = metadata["labels"]?.DeepClone();
            foreach (var (field, value) in usage.ToList())
            {
                usage.Remove(field);
                made[field] = value;
            }
            items.Add(made);
        }
        return items;
    }

    private JsonObject? Node(JsonNode metadata) =>
        samples.Node(metadata["name"].AsText() ?? "") is { } usage
            ? new JsonObject { ["timestamp"] = KubeTime.Format(usage.Timestamp), ["window"] = GoDuration.Format(usage.Window), ["usage"] = Quantities(usage) }
            : null;

    private JsonObject? Pod(JsonNode metadata)
    {
        if (samples.Pod(metadata["uid"].AsText() ?? "") is not { } containers)
        {
            return null;
        }
        return new JsonObject
        {
            ["timestamp"] = KubeTime.Format(containers.Max(c => c.Usage.Timestamp)),
            ["window"] = GoDuration.Format(containers.Max(c => c.Usage.Window)),
            ["containers"] = new JsonArray([.. containers.Select(c => new JsonObject { ["name"] = c.Container, ["usage"] = Quantities(c.Usage) })]),
        };
    }

    private static JsonObject Quantities(Usage usage) => new()
    {
        ["cpu"] = UsageQuantity.Cpu(usage.CpuNanoCores),
        ["memory"] = UsageQuantity.Memory(usage.MemoryBytes),
    };
}
