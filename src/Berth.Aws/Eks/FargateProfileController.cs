using Berth.Aws.Controllers;
using Berth.Kube.Clusters;
using Berth.Store;
using Microsoft.Extensions.Logging;

namespace Berth.Aws.Eks;

/// <summary>
/// Moves Fargate profiles through their lives: CREATING to ACTIVE (from then on the admission hands its pods to Fargate);
/// DELETING deletes the pods it placed, as EKS does, and then the profile.
/// </summary>
internal sealed class FargateProfileController(IStore store, FargateProfiles profiles, ClusterControl control, TimeProvider time,
    ILogger<FargateProfileController> logger) : ReconcilingService(store, time, logger)
{
    protected override IReadOnlyList<string> Prefixes => [FargateProfiles.RootPrefix];

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var profile in await profiles.ListAllAsync(cancellationToken))
        {
            switch (profile.Status)
            {
                case "CREATING":
                    await profiles.UpdateAsync(profile, p => p.Status == "CREATING" ? p with { Status = "ACTIVE" } : p, cancellationToken);
                    break;
                case "DELETING":
                    await control.DeletePodsAsync(profile.ClusterName, FargateAdmission.ProfileLabel, profile.Name, cancellationToken);
                    await profiles.DeleteAsync(profile, cancellationToken);
                    break;
            }
        }
    }
}
