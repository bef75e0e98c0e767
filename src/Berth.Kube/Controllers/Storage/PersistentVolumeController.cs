using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Storage;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Storage;

/// <summary>
/// Binds PersistentVolumeClaims to PersistentVolumes as kube-controller-manager's persistent volume binder does:
/// a claim without a class gets the default one; a pending claim takes its named volume, else the smallest
/// Available volume of its class that is large enough, offers its access modes and matches its selector; failing
/// that, a claim of the <c>local-path</c> class gets a volume provisioned (<see cref="LocalPathVolumes"/>). A volume
/// whose claim is gone is Released, and deleted with its data when its reclaim policy is Delete.
/// </summary>
internal sealed partial class PersistentVolumeController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events,
    LocalPathVolumes localPath, string cluster, TimeProvider time, ILogger<PersistentVolumeController> logger) : IController
{
    private const string Component = "persistentvolume-controller";
    private const string BoundByController = "pv.kubernetes.io/bound-by-controller";
    private const string BindCompleted = "pv.kubernetes.io/bind-completed";
    private const string ProvisionedBy = "pv.kubernetes.io/provisioned-by";
    private const string StorageProvisioner = "volume.kubernetes.io/storage-provisioner";
    private const string BetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";

    private readonly WorkQueue<string> _queue = new(time);
    private ObjectInformer? _claims;
    private ObjectInformer? _volumes;
    private ObjectInformer? _classes;

    public string Name => "persistentvolume-binder";

    private ResourceType Claims => registry.Find("", "v1", "persistentvolumeclaims")!;

    private ResourceType Volumes => registry.Find("", "v1", "persistentvolumes")!;

    private ResourceType Classes => registry.Find("storage.k8s.io", "v1", "storageclasses")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _claims = informers.Watch(ObjectStorage.Prefix(cluster, Claims, null), OnClaimChange);
        _volumes = informers.Watch(ObjectStorage.Prefix(cluster, Volumes, null), OnVolumeChange);
        _classes = informers.Watch(ObjectStorage.Prefix(cluster, Classes, null), _ => PendingClaimsAgain());
        return ControllerLoop.RunAsync(Name, [_claims, _volumes, _classes], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private void OnClaimChange(ObjectChange change)
    {
        _queue.Add(change.Key);
        if (change.New is null)
        {
            // the volumes it held are released
            var uid = change.Old?["metadata"]?["uid"].AsText();
            foreach (var (key, volume) in _volumes!.Objects)
            {
                if (volume["spec"]?["claimRef"]?["uid"].AsText() is { } held && held == uid)
                {
                    _queue.Add(key);
                }
            }
        }
    }

    private void OnVolumeChange(ObjectChange change)
    {
        _queue.Add(change.Key);
        if (change.New?["status"]?["phase"].AsText() == "Available")
        {
            PendingClaimsAgain(); // a volume became free: a waiting claim may take it
        }
        else if ((change.New ?? change.Old)?["spec"]?["claimRef"] is JsonObject claim)
        {
            _queue.Add(ObjectStorage.Key(cluster, Claims, claim["namespace"].AsText(), claim["name"].AsText() ?? ""));
        }
    }

    private void PendingClaimsAgain()
    {
        foreach (var (key, claim) in _claims!.Objects)
        {
            if (claim["status"]?["phase"].AsText() is null or "Pending")
            {
                _queue.Add(key);
            }
        }
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_claims!.Get(key) is { } claim)
        {
            await SyncClaimAsync(claim, cancellationToken);
        }
        else if (_volumes!.Get(key) is { } volume)
        {
            await SyncVolumeAsync(volume, cancellationToken);
        }
    }

    private async Task SyncClaimAsync(JsonObject claim, CancellationToken cancellationToken)
    {
        var metadata = claim["metadata"]!;
        var (ns, name) = (metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>());
        var spec = claim["spec"] as JsonObject ?? [];
        if (metadata["deletionTimestamp"] is not null)
        {
            return;
        }
        if (claim["status"]?["phase"].AsText() == "Bound")
        {
            var held = _volumes!.Get(ObjectStorage.Key(cluster, Volumes, null, spec["volumeName"].AsText() ?? ""));
            if (held is null)
            {
                await SetClaimPhaseAsync(ns, name, "Lost", cancellationToken);
                await events.RecordAsync(cluster, claim, EventRecorder.Warning, "ClaimLost",
                    "Bound claim has lost its PersistentVolume. Data on the volume is lost!", Component, cancellationToken);
            }
            return;
        }
        if (!spec.ContainsKey("storageClassName") && DefaultClass() is { } defaultClass)
        {
            // a claim made before any default class existed gets it now, as Kubernetes assigns it retroactively
            await objects.UpdateObjectAsync(cluster, Claims, ns, name, FieldOwner.ControllerManager, current =>
            {
                current["spec"]!["storageClassName"] = defaultClass;
                return current;
            }, cancellationToken);
            return;
        }
        var volume = spec["volumeName"].AsText() is { Length: > 0 } wanted
            ? _volumes!.Get(ObjectStorage.Key(cluster, Volumes, null, wanted)) is { } named && Bindable(named, claim) ? named : null
            : BestMatch(claim);
        if (volume is null && spec["volumeName"].AsText() is not { Length: > 0 })
        {
            volume = await ProvisionAsync(claim, cancellationToken);
        }
        if (volume is not null)
        {
            await BindAsync(claim, volume, cancellationToken);
        }
    }

    /// <summary>The Available volume that fits the claim most tightly, or one already reserved for it.</summary>
    private JsonObject? BestMatch(JsonObject claim)
    {
        var requested = Quantity.Parse(claim["spec"]?["resources"]?["requests"]?["storage"].AsText()) ?? 0;
        return _volumes!.Objects.Select(v => v.Value)
            .Where(v => Bindable(v, claim) && Fits(v, claim))
            .OrderBy(v => ReservedFor(v, claim) ? 0 : 1)
            .ThenBy(v => Quantity.Parse(v["spec"]?["capacity"]?["storage"].AsText()) ?? 0)
            .FirstOrDefault(v => (Quantity.Parse(v["spec"]?["capacity"]?["storage"].AsText()) ?? 0) >= requested);
    }

    /// <summary>Free, or reserved for this claim by its <c>claimRef</c>, and not going away.</summary>
    private static bool Bindable(JsonObject volume, JsonObject claim)
    {
        if (volume["metadata"]?["deletionTimestamp"] is not null || volume["status"]?["phase"].AsText() is "Released" or "Failed")
        {
            return false;
        }
        return volume["spec"]?["claimRef"] is null || ReservedFor(volume, claim);
    }

    private static bool ReservedFor(JsonObject volume, JsonObject claim)
    {
        var reference = volume["spec"]?["claimRef"];
        var metadata = claim["metadata"]!;
        return reference is not null && reference["namespace"].AsText() == metadata["namespace"].AsText() && reference["name"].AsText() == metadata["name"].AsText()
            && (reference["uid"].AsText() is null or "" || reference["uid"].AsText() == metadata["uid"].AsText());
    }

    /// <summary>Same class, same volume mode, every access mode the claim asks, labels its selector picks.</summary>
    private static bool Fits(JsonObject volume, JsonObject claim)
    {
        var spec = volume["spec"] as JsonObject ?? [];
        var wants = claim["spec"] as JsonObject ?? [];
        var modes = (spec["accessModes"] as JsonArray ?? []).Select(m => m.AsText()).ToHashSet();
        return (spec["storageClassName"].AsText() ?? "") == (wants["storageClassName"].AsText() ?? "")
            && (spec["volumeMode"].AsText() ?? "Filesystem") == (wants["volumeMode"].AsText() ?? "Filesystem")
            && (wants["accessModes"] as JsonArray ?? []).All(m => modes.Contains(m.AsText()))
            && (wants["selector"] is null || LabelSelector.FromObject(wants["selector"]).Matches(volume));
    }

    private string? DefaultClass() =>
        _classes!.Objects.Select(c => c.Value)
            .Where(StorageClassStrategy.IsDefault)
            .OrderByDescending(c => KubeTime.Parse(c["metadata"]?["creationTimestamp"]))
            .Select(c => c["metadata"]?["name"].AsText())
            .FirstOrDefault();

    /// <summary>The volume's <c>claimRef</c>, then its phase; the claim's <c>volumeName</c>, then its status.</summary>
    private async Task BindAsync(JsonObject claim, JsonObject volume, CancellationToken cancellationToken)
    {
        var metadata = claim["metadata"]!;
        var (ns, name) = (metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>());
        var volumeName = volume["metadata"]!["name"]!.GetValue<string>();
        var bySelf = volume["spec"]?["claimRef"]?["uid"].AsText() is null or "";
        volume = await objects.UpdateObjectAsync(cluster, Volumes, null, volumeName, FieldOwner.ControllerManager, current =>
        {
            current["spec"]!["claimRef"] = ClaimReference(claim);
            if (bySelf)
            {
                var annotations = current["metadata"]!["annotations"] as JsonObject ?? (JsonObject)(current["metadata"]!["annotations"] = new JsonObject());
                annotations[BoundByController] = "yes";
            }
            return current;
        }, cancellationToken);
        await SetVolumePhaseAsync(volumeName, "Bound", cancellationToken);
        await objects.UpdateObjectAsync(cluster, Claims, ns, name, FieldOwner.ControllerManager, current =>
        {
            current["spec"]!["volumeName"] = volumeName;
            var annotations = current["metadata"]!["annotations"] as JsonObject ?? (JsonObject)(current["metadata"]!["annotations"] = new JsonObject());
            annotations[BindCompleted] = "yes";
            if (claim["spec"]?["volumeName"].AsText() is null or "")
            {
                annotations[BoundByController] = "yes";
            }
            return current;
        }, cancellationToken);
        await objects.UpdateStatusAsync(cluster, Claims, ns, name, FieldOwner.ControllerManager, current =>
        {
            current["status"] = new JsonObject
            {
                ["phase"] = "Bound",
                ["accessModes"] = volume["spec"]?["accessModes"]?.DeepClone(),
                ["capacity"] = volume["spec"]?["capacity"]?.DeepClone(),
            };
            return current;
        }, cancellationToken);
        LogBound(ns, name, volumeName);
    }

    private async Task SyncVolumeAsync(JsonObject volume, CancellationToken cancellationToken)
    {
        var name = volume["metadata"]!["name"]!.GetValue<string>();
        var phase = volume["status"]?["phase"].AsText();
        if (volume["metadata"]?["deletionTimestamp"] is not null)
        {
            return;
        }
        if (volume["spec"]?["claimRef"] is not JsonObject reference)
        {
            if (phase != "Available")
            {
                await SetVolumePhaseAsync(name, "Available", cancellationToken);
            }
            return;
        }
        var claim = _claims!.Get(ObjectStorage.Key(cluster, Claims, reference["namespace"].AsText(), reference["name"].AsText() ?? ""));
        var uid = reference["uid"].AsText();
        if (uid is null or "")
        {
            if (phase != "Available")
            {
                await SetVolumePhaseAsync(name, "Available", cancellationToken); // reserved for a claim still to come
            }
            return;
        }
        if (claim is not null && claim["metadata"]?["uid"].AsText() == uid)
        {
            if (phase is null or "Pending" or "Available" && claim["spec"]?["volumeName"].AsText() == name)
            {
                await SetVolumePhaseAsync(name, "Bound", cancellationToken);
            }
            return;
        }
        // its claim is gone: the volume is released, and reclaimed by its policy
        if (phase != "Released")
        {
            await SetVolumePhaseAsync(name, "Released", cancellationToken);
        }
        if (volume["spec"]?["persistentVolumeReclaimPolicy"].AsText() == "Delete")
        {
            await DeleteVolumeAsync(volume, cancellationToken);
        }
    }

    private Task<JsonObject> SetVolumePhaseAsync(string name, string phase, CancellationToken cancellationToken, string? message = null) =>
        objects.UpdateStatusAsync(cluster, Volumes, null, name, FieldOwner.ControllerManager, current =>
        {
            var status = new JsonObject { ["phase"] = phase, ["lastPhaseTransitionTime"] = KubeTime.Format(time.GetUtcNow()) };
            if (message is not null)
            {
                status["message"] = message;
            }
            current["status"] = status;
            return current;
        }, cancellationToken);

    private Task<JsonObject> SetClaimPhaseAsync(string ns, string name, string phase, CancellationToken cancellationToken) =>
        objects.UpdateStatusAsync(cluster, Claims, ns, name, FieldOwner.ControllerManager, current =>
        {
            var status = current["status"] as JsonObject ?? [];
            status["phase"] = phase;
            current["status"] = status.DeepClone();
            return current;
        }, cancellationToken);

    private static JsonObject ClaimReference(JsonObject claim) => new()
    {
        ["kind"] = "PersistentVolumeClaim",
        ["apiVersion"] = "v1",
        ["namespace"] = claim["metadata"]?["namespace"]?.DeepClone(),
        ["name"] = claim["metadata"]?["name"]?.DeepClone(),
        ["uid"] = claim["metadata"]?["uid"]?.DeepClone(),
        ["resourceVersion"] = claim["metadata"]?["resourceVersion"]?.DeepClone(),
    };

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "Claim {Namespace}/{Claim} bound to volume {Volume}")]
    private partial void LogBound(string @namespace, string claim, string volume);
}
