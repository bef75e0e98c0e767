using Berth.Store;

namespace Berth.Aws.Eks;

/// <summary>EKS clusters in the store, under <c>/aws/eks/clusters/&lt;account&gt;/&lt;region&gt;/&lt;name&gt;</c>, so that one prefix lists them all.</summary>
public sealed class EksClusters(IStore store)
{
    public const string RootPrefix = "/aws/eks/clusters/";

    public static string Prefix(string accountId, string region) => $"{RootPrefix}{accountId}/{region}/";

    public static string Key(EksCluster cluster) => Prefix(cluster.AccountId, cluster.Region) + cluster.Name;

    public Task<EksCluster?> FindAsync(string accountId, string region, string name, CancellationToken cancellationToken) =>
        StoredDocuments.GetAsync(store, Prefix(accountId, region) + name, EksJson.Default.EksCluster, cancellationToken);

    /// <summary>The cluster, or EKS's ResourceNotFoundException.</summary>
    public async Task<EksCluster> GetAsync(string accountId, string region, string name, CancellationToken cancellationToken) =>
        await FindAsync(accountId, region, name, cancellationToken) ?? throw EksInput.ClusterNotFound(name);

    public Task<List<EksCluster>> ListAsync(string accountId, string region, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, Prefix(accountId, region), EksJson.Default.EksCluster, cancellationToken);

    /// <summary>Every cluster of every account and region, for the controller that looks after them.</summary>
    public async Task<List<EksCluster>> ListAllAsync(CancellationToken cancellationToken) =>
        await StoredDocuments.ListAllAsync(store, RootPrefix, EksJson.Default.EksCluster, cancellationToken);

    public Task CreateAsync(EksCluster cluster, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, Key(cluster), cluster, EksJson.Default.EksCluster, () => AlreadyExists(cluster.Name), cancellationToken);

    public Task<EksCluster> UpdateAsync(EksCluster cluster, Func<EksCluster, EksCluster> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, Key(cluster), EksJson.Default.EksCluster, change, () => EksInput.ClusterNotFound(cluster.Name), cancellationToken);

    public Task DeleteAsync(EksCluster cluster, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, Key(cluster), () => EksInput.ClusterNotFound(cluster.Name), cancellationToken);

    public static Endpoint.AwsException AlreadyExists(string name) => new("ResourceInUseException", $"Cluster already exists with name: {name}", 409);
}
