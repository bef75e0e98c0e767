using System.Text.Json.Nodes;

namespace Berth.Kube.Api;

/// <summary>
/// kube-apiserver's Priority admission for a new pod: <c>spec.priorityClassName</c> resolves to the class's value
/// and preemption policy; a pod naming no class gets the global default class (the highest if several), or
/// priority 0. A pod may not state a priority or policy other than its class gives it.
/// </summary>
internal sealed partial class ResourceHandler
{
    private async Task AdmitPriorityAsync(string cluster, JsonObject pod, CancellationToken cancellationToken)
    {
        var spec = pod["spec"] as JsonObject ?? (JsonObject)(pod["spec"] = new JsonObject());
        var name = pod["metadata"]?["name"].AsText() ?? "";
        var classes = await priorityClasses.ListAsync(cluster, cancellationToken);
        JsonObject? found;
        if (spec["priorityClassName"].AsText() is { Length: > 0 } className)
        {
            found = classes.FirstOrDefault(c => c["metadata"]?["name"].AsText() == className)
                ?? throw Forbidden(name, $"no PriorityClass with name {className} was found");
        }
        else
        {
            found = classes.Where(c => c["globalDefault"].AsBool() == true).MaxBy(c => c["value"].AsLong() ?? 0);
            if (found is not null)
            {
                spec["priorityClassName"] = found["metadata"]!["name"]!.GetValue<string>();
            }
        }
        var priority = found?["value"].AsLong() ?? 0;
        if (spec["priority"].AsLong() is { } stated && stated != priority)
        {
            throw Forbidden(name, $"the integer value of priority ({stated}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name");
        }
        spec["priority"] = priority;
        if (found?["preemptionPolicy"].AsText() is { } policy)
        {
            if (spec["preemptionPolicy"].AsText() is { } statedPolicy && statedPolicy != policy)
            {
                throw Forbidden(name, $"the string value of PreemptionPolicy ({statedPolicy}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
            }
            spec["preemptionPolicy"] = policy;
        }
    }

    private static KubeApiException Forbidden(string name, string reason) =>
        new(403, "Forbidden", $"pods \"{name}\" is forbidden: {reason}", new JsonObject { ["name"] = name, ["kind"] = "pods" });
}
