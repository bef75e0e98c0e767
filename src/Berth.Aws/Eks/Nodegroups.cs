using Berth.Aws.Endpoint;
using Berth.Store;

namespace Berth.Aws.Eks;

/// <summary>Managed node groups in the store, by account, region and cluster; one prefix lists them all.</summary>
public sealed class Nodegroups(IStore store)
{
    public const string RootPrefix = "/aws/eks/nodegroups/";

    public static string Prefix(string accountId, string region, string cluster) => $"{RootPrefix}{accountId}/{region}/{cluster}/";

    public static string Key(Nodegroup group) => Prefix(group.AccountId, group.Region, group.ClusterName) + group.Name;

    public async Task<Nodegroup> GetAsync(EksCluster cluster, string name, CancellationToken cancellationToken) =>
        await StoredDocuments.GetAsync(store, Prefix(cluster.AccountId, cluster.Region, cluster.Name) + name, EksNodeJson.Default.Nodegroup, cancellationToken)
            ?? throw NotFound(name);

    public Task<List<Nodegroup>> ListAsync(EksCluster cluster, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, Prefix(cluster.AccountId, cluster.Region, cluster.Name), EksNodeJson.Default.Nodegroup, cancellationToken);

    public Task<List<Nodegroup>> ListAllAsync(CancellationToken cancellationToken) =>
        StoredDocuments.ListAllAsync(store, RootPrefix, EksNodeJson.Default.Nodegroup, cancellationToken);

    public Task CreateAsync(Nodegroup group, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, Key(group), group, EksNodeJson.Default.Nodegroup,
            () => new AwsException("ResourceInUseException", $"NodeGroup already exists with name {group.Name} and cluster name {group.ClusterName}", 409), cancellationToken);

    public Task<Nodegroup> UpdateAsync(Nodegroup group, Func<Nodegroup, Nodegroup> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, Key(group), EksNodeJson.Default.Nodegroup, change, () => NotFound(group.Name), cancellationToken);

    public Task DeleteAsync(Nodegroup group, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, Key(group), () => NotFound(group.Name), cancellationToken);

    public static AwsException NotFound(string name) => new("ResourceNotFoundException", $"No node group found for name: {name}.", 404);
}

/// <summary>Fargate profiles in the store, by account, region and cluster.</summary>
public sealed class FargateProfiles(IStore store)
{
    public const string RootPrefix = "/aws/eks/fargate-profiles/";

    public static string Prefix(string accountId, string region, string cluster) => $"{RootPrefix}{accountId}/{region}/{cluster}/";

    public static string Key(FargateProfile profile) => Prefix(profile.AccountId, profile.Region, profile.ClusterName) + profile.Name;

    public async Task<FargateProfile> GetAsync(EksCluster cluster, string name, CancellationToken cancellationToken) =>
        await StoredDocuments.GetAsync(store, Prefix(cluster.AccountId, cluster.Region, cluster.Name) + name, EksNodeJson.Default.FargateProfile, cancellationToken)
            ?? throw NotFound(name);

    public Task<List<FargateProfile>> ListAsync(EksCluster cluster, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, Prefix(cluster.AccountId, cluster.Region, cluster.Name), EksNodeJson.Default.FargateProfile, cancellationToken);

    public Task<List<FargateProfile>> ListAllAsync(CancellationToken cancellationToken) =>
        StoredDocuments.ListAllAsync(store, RootPrefix, EksNodeJson.Default.FargateProfile, cancellationToken);

    public Task CreateAsync(FargateProfile profile, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, Key(profile), profile, EksNodeJson.Default.FargateProfile,
            () => new AwsException("ResourceInUseException", $"A Fargate Profile already exists with this name in this cluster.", 409), cancellationToken);

    public Task<FargateProfile> UpdateAsync(FargateProfile profile, Func<FargateProfile, FargateProfile> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, Key(profile), EksNodeJson.Default.FargateProfile, change, () => NotFound(profile.Name), cancellationToken);

    public Task DeleteAsync(FargateProfile profile, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, Key(profile), () => NotFound(profile.Name), cancellationToken);

    public static AwsException NotFound(string name) => new("ResourceNotFoundException", $"No Fargate Profile found with name: {name}.", 404);
}
