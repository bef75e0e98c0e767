using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kube.ManagedFields;
using Berth.Kube.Resources;
using Berth.Kube.Resources.Core;
using Berth.Kube.Resources.Policy;
using Berth.Kube.Schema;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Api;

/// <summary>
/// <c>pods/{name}/eviction</c>: a pod deleted only if its PodDisruptionBudget allows it, as kube-apiserver's eviction
/// REST decides. A pod that is pending, finished or already being deleted, or that no budget covers, is deleted
/// outright; otherwise its one budget must allow a disruption, which the eviction takes (one fewer allowed, the pod
/// entered in <c>disruptedPods</c>) with a write guarded by the budget's resourceVersion, before the pod is marked
/// <c>DisruptionTarget</c> and deleted. A budget that allows nothing answers 429, which clients retry.
/// </summary>
internal sealed partial class ResourceHandler
{
    private static readonly Lazy<TypeSchema> s_eviction = new(() =>
        ClientModelSchemas.Shared.ForKind("policy", "v1", "Eviction") ?? throw new InvalidOperationException("No model schema for Eviction."));

    /// <summary>How often a step that conflicts with another writer is tried, and how long between tries (kube-apiserver's EvictionsRetry).</summary>
    private const int EvictionAttempts = 20;

    private static readonly TimeSpan s_evictionRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Evictions approved but not yet seen deleted by the disruption controller beyond which a budget refuses more.</summary>
    private const int MaxDisruptedPods = 2000;

    private const string EvictionMessage = "Cannot evict pod as it would violate the pod's disruption budget.";

    private async Task EvictionAsync(HttpContext context, string cluster, ResourceType pods, string ns, RequestInfo request)
    {
        if (request.Verb != "create")
        {
            throw KubeApiException.MethodNotSupported("pods/eviction", request.Verb);
        }
        var eviction = await ReadBodyAsync(context, s_eviction.Value, "policy/v1", "v1", "Eviction", olderApiVersion: "policy/v1beta1");
        var name = request.Name!;
        if (eviction["metadata"]?["name"].AsText() != name)
        {
            throw KubeApiException.BadRequest("name in URL does not match name in Eviction object");
        }
        if (eviction["metadata"]?["namespace"].AsText() is { Length: > 0 } given && given != ns)
        {
            throw KubeApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        var options = EvictionDeleteOptions(context, eviction["deleteOptions"] as JsonObject);
        await EvictAsync(cluster, pods, ns, name, options, context.RequestAborted);
        await KubeResponse.WriteAsync(context, 201, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["code"] = 201,
        });
    }

    /// <summary>The Eviction's delete options, with the request's dryRun where they name none; the two may not disagree.</summary>
    private static DeleteOptions EvictionDeleteOptions(HttpContext context, JsonObject? body)
    {
        var requested = context.Request.Query["dryRun"].Select(v => v ?? "").ToList();
        var stated = (body?["dryRun"] as JsonArray ?? []).Select(v => v.AsText() ?? "").ToList();
        if (requested.Count > 0 && stated.Count > 0 && !requested.SequenceEqual(stated, StringComparer.Ordinal))
        {
            throw new KubeApiException(500, "InternalError",
                $"Internal error occurred: Non-matching dry-run options in request and content: [{string.Join(' ', requested)}] and [{string.Join(' ', stated)}]");
        }
        var options = DeleteOptions.Parse(QueryCollection.Empty, body);
        return options with { DryRun = (stated.Count > 0 ? stated : requested).Contains("All") };
    }

    internal async Task EvictAsync(string cluster, ResourceType pods, string ns, string name, DeleteOptions options, CancellationToken cancellationToken)
    {
        JsonObject pod;
        for (var attempt = 1; ; attempt++)
        {
            pod = await RequireAsync(cluster, pods, ns, name, cancellationToken);
            if (!CanIgnoreBudgets(pod))
            {
                break;
            }
            try
            {
                // a pending pod might start and become Ready meanwhile: deleted only as it was read
                var guarded = pod["status"]?["phase"].AsText() == "Pending" && options.PreconditionResourceVersion is null
                    ? options with { PreconditionResourceVersion = pod["metadata"]!["resourceVersion"].AsText() }
                    : options;
                await AddConditionAndDeletePodAsync(cluster, pods, ns, name, guarded, cancellationToken);
                return;
            }
            catch (KubeApiException e) when (e.Reason == "Conflict" && options.PreconditionResourceVersion is null && attempt < EvictionAttempts)
            {
                await Task.Delay(s_evictionRetryDelay, time, cancellationToken);
            }
        }
        var budgets = await BudgetsCoveringAsync(cluster, pod, cancellationToken);
        if (budgets.Count > 1)
        {
            throw new KubeApiException(500, "", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        }
        var budgetName = budgets.Count == 1 ? budgets[0]["metadata"]!["name"]!.GetValue<string>() : null;
        var guardPod = false;
        if (budgets.Count == 1)
        {
            var budget = budgets[0];
            if (!PodConditions.IsTrue(pod, PodConditions.Ready) && MayEvictUnhealthy(budget))
            {
                guardPod = true; // not counted as healthy, so no disruption is taken: only it must still be unready when deleted
            }
            else
            {
                await TakeDisruptionAsync(cluster, budget, name, options.DryRun, cancellationToken);
            }
        }
        var deleteOptions = guardPod && options.PreconditionResourceVersion is null
            ? options with { PreconditionResourceVersion = pod["metadata"]!["resourceVersion"].AsText() }
            : options;
        try
        {
            await AddConditionAndDeletePodAsync(cluster, pods, ns, name, deleteOptions, cancellationToken);
        }
        catch (KubeApiException e) when (e.Reason == "Conflict" && guardPod && options.PreconditionResourceVersion is null)
        {
            throw StillProcessing(budgetName!); // the pod changed (became Ready, perhaps): the client asks again
        }
    }

    /// <summary>Pods whose eviction disrupts nothing a budget guards: not started, finished, or already on their way out.</summary>
    private static bool CanIgnoreBudgets(JsonObject pod) =>
        pod["status"]?["phase"].AsText() is "Pending" or "Succeeded" or "Failed" || pod["metadata"]?["deletionTimestamp"] is not null;

    /// <summary>
    /// Whether an unready pod may go without taking a disruption: always under <c>AlwaysAllow</c>; under
    /// <c>IfHealthyBudget</c> (the default) while the budget has the healthy pods it wants.
    /// </summary>
    private static bool MayEvictUnhealthy(JsonObject budget)
    {
        if (budget["spec"]?["unhealthyPodEvictionPolicy"].AsText() == "AlwaysAllow")
        {
            return true;
        }
        var desired = budget["status"]?["desiredHealthy"].AsLong() ?? 0;
        return (budget["status"]?["currentHealthy"].AsLong() ?? 0) >= desired && desired > 0;
    }

    /// <summary>The budgets in the pod's namespace whose selector picks it; a budget without a selector, or with an empty one, picks nothing here.</summary>
    private async Task<List<JsonObject>> BudgetsCoveringAsync(string cluster, JsonObject pod, CancellationToken cancellationToken)
    {
        var budgets = registry.Find("policy", "v1", "poddisruptionbudgets")!;
        var listed = await store.ListAsync(ObjectStorage.Prefix(cluster, budgets, pod["metadata"]!["namespace"].AsText()), cancellationToken: cancellationToken);
        var covering = new List<JsonObject>();
        foreach (var budget in listed.Items.Select(e => ObjectStorage.Decode(budgets, e)))
        {
            LabelSelector selector;
            try
            {
                selector = LabelSelector.FromObject(budget["spec"]?["selector"]);
            }
            catch (KubeApiException)
            {
                continue; // a selector that cannot be read matches no pod
            }
            if (!selector.IsEmpty && selector.Matches(pod))
            {
                covering.Add(budget);
            }
        }
        return covering;
    }

    /// <summary>
    /// Takes one disruption from the budget: refused with 429 while the controller has not counted its latest spec or
    /// it allows none; otherwise written back one fewer, with the pod in <c>disruptedPods</c>, guarded by the budget's
    /// resourceVersion and tried again on a newer copy when another eviction got there first.
    /// </summary>
    private async Task TakeDisruptionAsync(string cluster, JsonObject budget, string podName, bool dryRun, CancellationToken cancellationToken)
    {
        var budgets = registry.Find("policy", "v1", "poddisruptionbudgets")!;
        var metadata = budget["metadata"]!;
        var ns = metadata["namespace"].AsText();
        var name = metadata["name"]!.GetValue<string>();
        for (var attempt = 1; ; attempt++)
        {
            var status = budget["status"] as JsonObject ?? [];
            if ((status["observedGeneration"].AsLong() ?? 0) < (metadata["generation"].AsLong() ?? 0))
            {
                throw StillProcessing(name);
            }
            var allowed = status["disruptionsAllowed"].AsLong() ?? 0;
            if (allowed < 0)
            {
                throw BudgetForbidden(name, "pdb disruptions allowed is negative");
            }
            if ((status["disruptedPods"] as JsonObject)?.Count > MaxDisruptedPods)
            {
                throw BudgetForbidden(name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
            }
            if (allowed == 0)
            {
                throw TooManyRequests(string.Create(CultureInfo.InvariantCulture,
                    $"The disruption budget {name} needs {status["desiredHealthy"].AsLong() ?? 0} healthy pods and has {status["currentHealthy"].AsLong() ?? 0} currently"));
            }
            if (dryRun)
            {
                return;
            }
            var revision = long.Parse(metadata["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var now = time.GetUtcNow();
            try
            {
                await UpdateStatusAsync(cluster, budgets, ns, name, FieldOwner.ApiServer, revision, current =>
                {
                    var taken = (JsonObject)(budget["status"]?.DeepClone() ?? new JsonObject());
                    taken["disruptionsAllowed"] = allowed - 1;
                    var disrupted = taken["disruptedPods"] as JsonObject ?? (JsonObject)(taken["disruptedPods"] = new JsonObject());
                    disrupted[podName] = KubeTime.Format(now);
                    current["status"] = taken;
                    if (allowed == 1)
                    {
                        DisruptionBudgetConditions.UpdateDisruptionAllowed(current, now);
                    }
                    return current;
                }, cancellationToken);
                return;
            }
            catch (KubeApiException e) when (e.Reason == "Conflict" && attempt < EvictionAttempts)
            {
                await Task.Delay(s_evictionRetryDelay, time, cancellationToken);
                budget = await RequireAsync(cluster, budgets, ns, name, cancellationToken);
                metadata = budget["metadata"]!;
            }
        }
    }

    /// <summary>
    /// Marks the pod <c>DisruptionTarget</c> (unless this is a dry run) and deletes it with the eviction's options; the
    /// preconditions are checked against the pod as it is before the mark, and a resourceVersion precondition then
    /// follows the mark.
    /// </summary>
    private async Task AddConditionAndDeletePodAsync(string cluster, ResourceType pods, string ns, string name, DeleteOptions options,
        CancellationToken cancellationToken)
    {
        if (!options.DryRun)
        {
            var marked = await GuaranteedUpdateAsync(cluster, pods, ns, name, dryRun: false, keepStatus: false, FieldOwner.ApiServer with { Subresource = "status" },
                existing =>
                {
                    var metadata = existing["metadata"]!;
                    if (options.PreconditionUid is { } uid && uid != metadata["uid"].AsText())
                    {
                        throw KubeApiException.Conflict("Pod", name,
                            $"the UID in the precondition ({uid}) does not match the UID in record ({metadata["uid"].AsText()}). The object might have been deleted and then recreated");
                    }
                    if (options.PreconditionResourceVersion is { } rv && rv != metadata["resourceVersion"].AsText())
                    {
                        throw KubeApiException.Conflict("Pod", name,
                            $"the ResourceVersion in the precondition ({rv}) does not match the ResourceVersion in record ({metadata["resourceVersion"].AsText()}). The object might have been modified");
                    }
                    PodConditions.Set(existing, PodConditions.DisruptionTarget, "True", "EvictionByEvictionAPI", "Eviction API: evicting", time.GetUtcNow());
                    return (existing, null);
                }, cancellationToken);
            if (options.PreconditionResourceVersion is not null)
            {
                options = options with { PreconditionResourceVersion = marked["metadata"]!["resourceVersion"].AsText() };
            }
        }
        await DeleteObjectAsync(cluster, pods, ns, name, options, cancellationToken);
    }

    /// <summary>The 429 a budget's refusal is, with the budget's reason as a DisruptionBudget cause.</summary>
    private static KubeApiException TooManyRequests(string cause) =>
        new(429, "TooManyRequests", EvictionMessage, new JsonObject
        {
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = "DisruptionBudget", ["message"] = cause }),
        });

    private static KubeApiException StillProcessing(string budget) =>
        TooManyRequests($"The disruption budget {budget} is still being processed by the server.");

    private static KubeApiException BudgetForbidden(string budget, string why) =>
        new(403, "Forbidden", $"poddisruptionbudget.policy \"{budget}\" is forbidden: {why}",
            new JsonObject { ["name"] = budget, ["group"] = "policy", ["kind"] = "poddisruptionbudget" });
}
