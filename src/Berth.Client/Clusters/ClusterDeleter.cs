namespace Berth.Client.Clusters;

/// <summary>
/// <c>berth delete cluster</c>: the cluster's Fargate profiles and node groups (their instances drained and
/// terminated), its OIDC provider, the cluster, and the IAM roles eksctl's names and tags mark as its — whatever an
/// interrupted create left, in whatever state.
/// </summary>
public sealed class ClusterDeleter(ClusterSession session)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(20);

    /// <summary>Deletes the cluster; false when there was neither a cluster nor anything of it left to delete.</summary>
    public async Task<bool> DeleteAsync(string name, bool wait, CancellationToken cancellationToken)
    {
        var log = session.Log;
        var cluster = await session.Eks.DescribeClusterAsync(name, cancellationToken);
        if (cluster?["status"]?.GetValue<string>() == "CREATING")
        {
            cluster = await session.WaitForAsync($"cluster \"{name}\" to finish creating before it is deleted", ct => session.Eks.DescribeClusterAsync(name, ct),
                "ACTIVE", ["FAILED"], ClusterCreator.ClusterTimeout, cancellationToken);
        }
        if (cluster is not null)
        {
            log.Info($"deleting EKS cluster \"{name}\"");
            foreach (var profile in await session.Eks.ListFargateProfilesAsync(name, cancellationToken))
            {
                await DeleteFargateProfileAsync(name, profile, cancellationToken);
            }
            await DeleteNodegroupsAsync(name, await session.Eks.ListNodegroupsAsync(name, cancellationToken), cancellationToken);
            foreach (var addon in await session.Eks.ListAddonsAsync(name, cancellationToken))
            {
                await session.Eks.DeleteAddonAsync(name, addon, cancellationToken);
                log.Info($"deleted addon \"{addon}\"");
            }
            if (cluster["status"]?.GetValue<string>() is "ACTIVE" && await new OidcProviders(session).FindAsync(cluster, cancellationToken) is { } provider)
            {
                await session.Iam.DeleteOpenIdConnectProviderAsync(provider, cancellationToken);
                log.Info("deleted the cluster's IAM Open ID Connect provider");
            }
            if (cluster["status"]?.GetValue<string>() != "DELETING")
            {
                await session.Eks.DeleteClusterAsync(name, cancellationToken);
            }
            if (wait)
            {
                await session.WaitForAsync($"cluster \"{name}\" to be deleted", ct => session.Eks.DescribeClusterAsync(name, ct), null, ["FAILED"], s_timeout, cancellationToken);
            }
        }
        var roles = await DeleteRolesAsync(name, cancellationToken);
        if (cluster is null && roles == 0)
        {
            return false;
        }
        log.Success($"all cluster resources were deleted{(wait || cluster is null ? "" : " (the control plane is still being removed)")}");
        return true;
    }

    public async Task DeleteNodegroupsAsync(string cluster, IReadOnlyList<string> groups, CancellationToken cancellationToken)
    {
        foreach (var group in groups)
        {
            var described = await session.Eks.DescribeNodegroupAsync(cluster, group, cancellationToken);
            if (described?["status"]?.GetValue<string>() is not (null or "DELETING"))
            {
                await session.Eks.DeleteNodegroupAsync(cluster, group, cancellationToken);
            }
            session.Log.Info($"deleting node group \"{group}\" (its nodes are drained first)");
        }
        foreach (var group in groups)
        {
            await session.WaitForAsync($"node group \"{group}\" to be deleted", ct => session.Eks.DescribeNodegroupAsync(cluster, group, ct), null,
                ["DELETE_FAILED"], s_timeout, cancellationToken);
            var role = ClusterRoles.NodeRole(cluster, group);
            if (await session.Iam.GetRoleAsync(role, cancellationToken) is { } found && found.Tags.GetValueOrDefault(ClusterRoles.ClusterTag) == cluster)
            {
                await session.Iam.DeleteRoleAsync(role, cancellationToken);
            }
            session.Log.Success($"deleted node group \"{group}\"");
        }
    }

    public async Task DeleteFargateProfileAsync(string cluster, string profile, CancellationToken cancellationToken)
    {
        session.Log.Info($"deleting Fargate profile \"{profile}\"");
        if ((await session.Eks.DescribeFargateProfileAsync(cluster, profile, cancellationToken))?["status"]?.GetValue<string>() is not (null or "DELETING"))
        {
            await session.Eks.DeleteFargateProfileAsync(cluster, profile, cancellationToken);
        }
        await session.WaitForAsync($"Fargate profile \"{profile}\" to be deleted", ct => session.Eks.DescribeFargateProfileAsync(cluster, profile, ct), null,
            ["DELETE_FAILED"], s_timeout, cancellationToken);
        session.Log.Success($"deleted Fargate profile \"{profile}\"");
    }

    /// <summary>The roles berth made for the cluster, whatever their names (a service account's may be chosen): those tagged with it.</summary>
    private async Task<int> DeleteRolesAsync(string cluster, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var role in await session.Iam.ListRoleNamesAsync(cancellationToken))
        {
            if ((await session.Iam.GetRoleAsync(role, cancellationToken))?.Tags.GetValueOrDefault(ClusterRoles.ClusterTag) == cluster)
            {
                await session.Iam.DeleteRoleAsync(role, cancellationToken);
                session.Log.Info($"deleted IAM role \"{role}\"");
                deleted++;
            }
        }
        return deleted;
    }
}
