using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>How the workload controllers write the status they computed.</summary>
internal static class WorkloadStatus
{
    /// <summary>
    /// Writes <paramref name="status"/> through the status subresource, keeping the conditions others set (unless
    /// <paramref name="keepConditions"/> is false: the status carries its own), unless it is what is stored already.
    /// </summary>
    public static async Task WriteAsync(ResourceHandler objects, string cluster, ResourceType type, JsonObject obj, JsonObject status,
        CancellationToken cancellationToken, bool keepConditions = true)
    {
        if (keepConditions && obj["status"]?["conditions"] is { } conditions)
        {
            status["conditions"] = conditions.DeepClone();
        }
        if (JsonNode.DeepEquals(status, obj["status"]))
        {
            return;
        }
        var metadata = obj["metadata"]!;
        await objects.UpdateStatusAsync(cluster, type, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>(), FieldOwner.ControllerManager,
            current =>
            {
                current["status"] = status.DeepClone();
                return current;
            }, cancellationToken);
    }
}
