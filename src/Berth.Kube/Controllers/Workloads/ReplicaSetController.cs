using System.Text.Json.Nodes;
using Berth.Kube.Api;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Microsoft.Extensions.Logging;

namespace Berth.Kube.Controllers.Workloads;

/// <summary>
/// Keeps each ReplicaSet's number of pods at <c>spec.replicas</c>, as kube-controller-manager's ReplicaSet
/// controller does: pods made from the template and owned by the set, orphans that match its selector adopted,
/// the surplus deleted in <see cref="PodRanking"/> order, and <c>status</c> counting replicas, fully labeled,
/// ready and available pods. Creations go in batches that double (1, 2, 4 …) while they succeed, so a failing
/// template costs one error rather than hundreds.
/// </summary>
internal sealed class ReplicaSetController(SharedInformers informers, ResourceHandler objects, ResourceRegistry registry, EventRecorder events, string cluster,
    TimeProvider time, ILogger<ReplicaSetController> logger) : IController
{
    private const int BurstReplicas = 500;
    private const string Component = "replicaset-controller";

    private readonly WorkQueue<string> _queue = new(time);
    private readonly Expectations _expectations = new(time);

    private ControlledObjects? _controlled;
    private PodControl? _podControl;
    private ObjectInformer? _sets;
    private ObjectInformer? _pods;

    public string Name => "replicaset";

    private ResourceType Sets => registry.Find("apps", "v1", "replicasets")!;

    private ResourceType Pods => registry.Find("", "v1", "pods")!;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _controlled = new ControlledObjects(objects, cluster, Pods);
        _podControl = new PodControl(objects, events, cluster, Pods, Component);
        _sets = informers.Watch(ObjectStorage.Prefix(cluster, Sets, null), change => _queue.Add(change.Key));
        _pods = informers.Watch(ObjectStorage.Prefix(cluster, Pods, null), change => _controlled!.Route(change, Sets, _sets!, _queue, _expectations));
        return ControllerLoop.RunAsync(Name, [_sets, _pods], _queue, ReconcileAsync, logger, cancellationToken);
    }

    private async Task ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        if (_sets!.Get(key) is not { } set)
        {
            _expectations.Forget(key);
            return;
        }
        var metadata = set["metadata"]!;
        var ns = metadata["namespace"]!.GetValue<string>();
        var selector = LabelSelector.FromObject(set["spec"]?["selector"]);
        var pods = (await _controlled!.ClaimAsync(_pods!, set, selector, FieldOwner.ControllerManager, cancellationToken))
            .Where(p => p["metadata"]?["deletionTimestamp"] is null && p["status"]?["phase"].AsText() is not ("Succeeded" or "Failed"))
            .ToList();
        if (_expectations.Satisfied(key) && metadata["deletionTimestamp"] is null)
        {
            await ManageReplicasAsync(key, set, pods, cancellationToken);
        }
        await UpdateStatusAsync(set, pods, cancellationToken);
    }

    private async Task ManageReplicasAsync(string key, JsonObject set, List<JsonObject> pods, CancellationToken cancellationToken)
    {
        var wanted = set["spec"]?["replicas"].AsLong() ?? 1;
        var diff = (int)Math.Clamp(wanted - pods.Count, -BurstReplicas, BurstReplicas);
        if (diff > 0)
        {
            _expectations.Expect(key, diff, 0);
            await CreatePodsAsync(key, set, diff, cancellationToken);
        }
        else if (diff < 0)
        {
            var victims = PodRanking.DeletionOrder(pods).Take(-diff).ToList();
            _expectations.Expect(key, 0, victims.Count);
            foreach (var victim in victims)
            {
                await DeletePodAsync(key, set, victim, cancellationToken);
            }
        }
    }

    private async Task CreatePodsAsync(string key, JsonObject set, int count, CancellationToken cancellationToken)
    {
        var template = set["spec"]?["template"] as JsonObject ?? [];
        var missed = await SlowStart.RunAsync(count, _ => CreatePodAsync(set, template, cancellationToken));
        for (var i = 0; i < missed; i++)
        {
            _expectations.Created(key); // neither a failed creation nor one never tried will be observed
        }
    }

    private async Task<bool> CreatePodAsync(JsonObject set, JsonObject template, CancellationToken cancellationToken) =>
        await _podControl!.CreateAsync(set, PodTemplates.NewPod(set, template), cancellationToken) is not null;

    private async Task DeletePodAsync(string key, JsonObject set, JsonObject pod, CancellationToken cancellationToken)
    {
        if (!await _podControl!.DeleteAsync(set, pod, cancellationToken))
        {
            _expectations.Deleted(key); // already gone, or replaced by another pod of that name
        }
    }

    private async Task UpdateStatusAsync(JsonObject set, List<JsonObject> pods, CancellationToken cancellationToken)
    {
        var templateLabels = set["spec"]?["template"]?["metadata"]?["labels"] as JsonObject ?? [];
        var minReady = TimeSpan.FromSeconds(set["spec"]?["minReadySeconds"].AsLong() ?? 0);
        var now = time.GetUtcNow();
        var ready = pods.Where(p => PodConditions.IsTrue(p, PodConditions.Ready)).ToList();
        var status = new JsonObject
        {
            ["replicas"] = pods.Count,
            ["fullyLabeledReplicas"] = pods.Count(p => templateLabels.All(l => p["metadata"]?["labels"]?[l.Key].AsText() == l.Value.AsText())),
            ["readyReplicas"] = ready.Count,
            ["availableReplicas"] = ready.Count(p => PodAvailability.IsAvailable(p, minReady, now)),
            ["observedGeneration"] = set["metadata"]?["generation"]?.DeepClone(),
        };
        // Kubernetes leaves zero counts out of a ReplicaSet's status
        foreach (var field in new[] { "fullyLabeledReplicas", "readyReplicas", "availableReplicas" })
        {
            if (status[field].AsLong() == 0)
            {
                status.Remove(field);
            }
        }
        await WorkloadStatus.WriteAsync(objects, cluster, Sets, set, status, cancellationToken);
        var metadata = set["metadata"]!;
        if (minReady > TimeSpan.Zero && ready.Any(p => !PodAvailability.IsAvailable(p, minReady, now)))
        {
            _queue.AddAfter(ObjectStorage.Key(cluster, Sets, metadata["namespace"].AsText(), metadata["name"]!.GetValue<string>()), minReady);
        }
    }
}
