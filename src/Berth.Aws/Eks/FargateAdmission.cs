using System.Text.Json.Nodes;
using Berth.Kube.Clusters;

namespace Berth.Aws.Eks;

/// <summary>
/// EKS's Fargate admission: a new pod that an ACTIVE profile of its cluster selects (its namespace, and every label the
/// selector names) and that no other scheduler claims is handed to the <c>fargate-scheduler</c> and labelled with the
/// profile, as EKS's webhook does. Profiles are tried in name order; the first that selects the pod wins.
/// </summary>
internal sealed class FargateAdmission(FargateProfiles profiles) : IPodAdmission
{
    public const string SchedulerName = "fargate-scheduler";
    public const string ProfileLabel = "eks.amazonaws.com/fargate-profile";

    public async Task AdmitAsync(string cluster, JsonObject pod, CancellationToken cancellationToken)
    {
        if (pod["spec"] is not JsonObject spec || spec["schedulerName"]?.GetValue<string>() is { } scheduler && scheduler != "default-scheduler")
        {
            return;
        }
        var metadata = pod["metadata"] as JsonObject ?? [];
        var ns = metadata["namespace"]?.GetValue<string>() ?? "";
        if (metadata["labels"] is not JsonObject labels)
        {
            metadata["labels"] = labels = [];
        }
        var profile = (await profiles.ListAllAsync(cancellationToken))
            .Where(p => p.ClusterName == cluster && p.Status == "ACTIVE")
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .FirstOrDefault(p => p.Selectors.Any(s => s.Namespace == ns
                && s.Labels.All(l => labels[l.Key] is JsonValue value && value.TryGetValue<string>(out var text) && text == l.Value)));
        if (profile is null)
        {
            return;
        }
        spec["schedulerName"] = SchedulerName;
        labels[ProfileLabel] = profile.Name;
    }
}
