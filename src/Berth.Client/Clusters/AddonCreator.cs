using System.Text.Json.Nodes;
using Berth.Client.Config;

namespace Berth.Client.Clusters;

/// <summary>EKS add-ons, made through CreateAddon and awaited until ACTIVE.</summary>
public sealed class AddonCreator(ClusterSession session)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    public async Task CreateAsync(string cluster, AddonConfig addon, CancellationToken cancellationToken)
    {
        var input = new JsonObject { ["addonName"] = addon.Name, ["tags"] = ClusterCreator.Tags(addon.Tags, cluster), ["clientRequestToken"] = Guid.NewGuid().ToString() };
        if (addon.Version is { } version && version != "latest")
        {
            input["addonVersion"] = version;
        }
        if (addon.ConfigurationValues is { } values)
        {
            input["configurationValues"] = values;
        }
        if (addon.ResolveConflicts is { } resolve)
        {
            input["resolveConflicts"] = resolve.ToUpperInvariant();
        }
        session.Log.Info($"creating addon \"{addon.Name}\" on cluster \"{cluster}\"");
        await session.Eks.CreateAddonAsync(cluster, input, cancellationToken);
        await session.WaitForAsync($"addon \"{addon.Name}\" to become ACTIVE", ct => session.Eks.DescribeAddonAsync(cluster, addon.Name, ct),
            "ACTIVE", ["CREATE_FAILED", "DEGRADED"], s_timeout, cancellationToken);
        session.Log.Success($"created addon \"{addon.Name}\"");
    }
}
