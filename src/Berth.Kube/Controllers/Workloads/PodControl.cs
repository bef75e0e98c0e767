using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// How workload controllers create and delete their pods, as client-go's pod control: each write recorded as an
/// Event on the owner (SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete) with Kubernetes' messages.
/// </summary>
internal sealed class PodControl(ResourceHandler objects, EventRecorder events, string cluster, ResourceType pods, string component)
{
    /// <summary>Creates <paramref name="pod"/> for <paramref name="owner"/>; null when the API refused it.</summary>
    public async Task<JsonObject?> CreateAsync(JsonObject owner, JsonObject pod, CancellationToken cancellationToken)
    {
        try
        {
            var created = await objects.CreateObjectAsync(cluster, pods, owner["metadata"]!["namespace"].AsText(), pod, FieldOwner.ControllerManager,
                dryRun: false, cancellationToken);
            await events.RecordAsync(cluster, owner, EventRecorder.Normal, "SuccessfulCreate",
                $"Created pod: {created["metadata"]!["name"]!.GetValue<string>()}", component, cancellationToken);
            return created;
        }
        catch (KubeApiException e)
        {
            await events.RecordAsync(cluster, owner, EventRecorder.Warning, "FailedCreate", $"Error creating: {e.Message}", component, cancellationToken);
            return null;
        }
    }

    /// <summary>
    /// Deletes <paramref name="pod"/> (that very pod: the uid is a precondition); false when it was already gone or
    /// replaced by another of its name.
    /// </summary>
    public async Task<bool> DeleteAsync(JsonObject owner, JsonObject pod, CancellationToken cancellationToken)
    {
        var metadata = pod["metadata"]!;
        var name = metadata["name"]!.GetValue<string>();
        try
        {
            await objects.DeleteObjectAsync(cluster, pods, metadata["namespace"].AsText(), name,
                DeleteOptions.Default with { PreconditionUid = metadata["uid"].AsText() }, cancellationToken);
            await events.RecordAsync(cluster, owner, EventRecorder.Normal, "SuccessfulDelete", $"Deleted pod: {name}", component, cancellationToken);
            return true;
        }
        catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
        {
            return false;
        }
        catch (KubeApiException e)
        {
            await events.RecordAsync(cluster, owner, EventRecorder.Warning, "FailedDelete", $"Error deleting: {e.Message}", component, cancellationToken);
            throw;
        }
    }
}
