using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;

namespace Berth.Kube.Controllers.Storage;

/// <summary>The binder's provisioning side: volumes made for claims of the local-path class, and removed once released.</summary>
internal sealed partial class PersistentVolumeController
{
    /// <summary>A new volume for the claim when its class is the local-path one; null when no provisioner of Berth's serves the class.</summary>
    private async Task<JsonObject?> ProvisionAsync(JsonObject claim, CancellationToken cancellationToken)
    {
        var metadata = claim["metadata"]!;
        var className = claim["spec"]?["storageClassName"].AsText() ?? "";
        var storageClass = className.Length > 0 ? _classes!.Get(ObjectStorage.Key(cluster, Classes, null, className)) : null;
        if (storageClass is null)
        {
            await events.RecordAsync(cluster, claim, EventRecorder.Normal, "FailedBinding", className.Length == 0
                ? "no persistent volumes available for this claim and no storage class is set"
                : $"storageclass.storage.k8s.io \"{className}\" not found", Component, cancellationToken);
            return null;
        }
        var provisioner = storageClass["provisioner"].AsText() ?? "";
        if (provisioner != LocalPathVolumes.Provisioner)
        {
            await events.RecordAsync(cluster, claim, EventRecorder.Normal, "ExternalProvisioning",
                $"Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
                Component, cancellationToken);
            return null;
        }
        var (ns, name, uid) = (metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>(), metadata["uid"]!.GetValue<string>());
        var volumeName = "pvc-" + uid;
        var path = localPath.Create(volumeName, ns, name);
        var volume = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolume",
            ["metadata"] = new JsonObject
            {
                ["name"] = volumeName,
                ["annotations"] = new JsonObject { [ProvisionedBy] = LocalPathVolumes.Provisioner },
            },
            ["spec"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["storage"] = claim["spec"]?["resources"]?["requests"]?["storage"]?.DeepClone() ?? "1Gi" },
                ["accessModes"] = claim["spec"]?["accessModes"]?.DeepClone() ?? new JsonArray("ReadWriteOnce"),
                ["persistentVolumeReclaimPolicy"] = storageClass["reclaimPolicy"].AsText() ?? "Delete",
                ["storageClassName"] = className,
                ["volumeMode"] = claim["spec"]?["volumeMode"]?.DeepClone() ?? "Filesystem",
                ["hostPath"] = new JsonObject { ["path"] = path, ["type"] = "DirectoryOrCreate" },
                ["claimRef"] = ClaimReference(claim),
            },
        };
        try
        {
            volume = await objects.CreateObjectAsync(cluster, Volumes, null, volume, FieldOwner.ControllerManager, dryRun: false, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "AlreadyExists")
        {
            return _volumes!.Get(ObjectStorage.Key(cluster, Volumes, null, volumeName)); // provisioned before, not yet bound
        }
        await objects.UpdateObjectAsync(cluster, Claims, ns, name, FieldOwner.ControllerManager, current =>
        {
            var annotations = current["metadata"]!["annotations"] as JsonObject ?? (JsonObject)(current["metadata"]!["annotations"] = new JsonObject());
            annotations[StorageProvisioner] = LocalPathVolumes.Provisioner;
            annotations[BetaStorageProvisioner] = LocalPathVolumes.Provisioner;
            return current;
        }, cancellationToken);
        await events.RecordAsync(cluster, claim, EventRecorder.Normal, "ProvisioningSucceeded",
            $"Successfully provisioned volume {volumeName} using {LocalPathVolumes.Provisioner}", Component, cancellationToken);
        return volume;
    }

    private async Task DeleteVolumeAsync(JsonObject volume, CancellationToken cancellationToken)
    {
        var name = volume["metadata"]!["name"]!.GetValue<string>();
        if (volume["metadata"]?["annotations"]?[ProvisionedBy].AsText() != LocalPathVolumes.Provisioner)
        {
            await SetVolumePhaseAsync(name, "Failed", cancellationToken, "error getting deleter volume plugin for volume \"" + name + "\": no deletable volume plugin matched");
            await events.RecordAsync(cluster, volume, EventRecorder.Warning, "VolumeFailedDelete",
                "error getting deleter volume plugin for volume \"" + name + "\": no deletable volume plugin matched", Component, cancellationToken);
            return;
        }
        if (volume["spec"]?["hostPath"]?["path"].AsText() is { } path)
        {
            localPath.Delete(path);
        }
        try
        {
            await objects.DeleteObjectAsync(cluster, Volumes, null, name,
                DeleteOptions.Default with { PreconditionUid = volume["metadata"]?["uid"].AsText() }, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason is "NotFound" or "Conflict")
        {
            // deleted meanwhile
        }
    }
}
