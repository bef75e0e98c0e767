using Berth.Aws.Endpoint;
using Berth.Kube.Authentication;
using Berth.Store;

namespace Berth.Aws.Eks;

/// <summary>
/// EKS access entries in the store, and the Kubernetes side's view of them (<see cref="IAccessEntries"/>): in a
/// cluster whose authentication mode includes <c>API</c>, an identity's entry (by its principal: the role's ARN for a
/// role session) gives its user name (<c>{{SessionName}}</c> filled), groups, and the ClusterRoles its access policies
/// stand for; the ConfigMap is read only when the mode includes <c>CONFIG_MAP</c>.
/// </summary>
public sealed class AccessEntries(IStore store, EksClusters clusters) : IAccessEntries
{
    public const string RootPrefix = "/aws/eks/access-entries/";

    /// <summary>EKS's access policies and the Kubernetes ClusterRoles whose rules they grant.</summary>
    public static readonly IReadOnlyDictionary<string, string> Policies = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"] = "cluster-admin",
        ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"] = "admin",
        ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"] = "edit",
        ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"] = "view",
    };

    public static string Prefix(EksCluster cluster) => $"{RootPrefix}{cluster.AccountId}/{cluster.Region}/{cluster.Name}/";

    /// <summary>A principal ARN as one key segment: its slashes escaped, so the key stays one level.</summary>
    private static string Key(EksCluster cluster, string principalArn) => Prefix(cluster) + principalArn.Replace("%", "%25", StringComparison.Ordinal).Replace("/", "%2F", StringComparison.Ordinal);

    public async Task<AccessEntry> GetAsync(EksCluster cluster, string principalArn, CancellationToken cancellationToken) =>
        await FindAsync(cluster, principalArn, cancellationToken) ?? throw NotFound();

    public Task<AccessEntry?> FindAsync(EksCluster cluster, string principalArn, CancellationToken cancellationToken) =>
        StoredDocuments.GetAsync(store, Key(cluster, principalArn), AccessEntryJson.Default.AccessEntry, cancellationToken);

    public Task<List<AccessEntry>> ListAsync(EksCluster cluster, CancellationToken cancellationToken) =>
        StoredDocuments.ListAsync(store, Prefix(cluster), AccessEntryJson.Default.AccessEntry, cancellationToken);

    public Task CreateAsync(EksCluster cluster, AccessEntry entry, CancellationToken cancellationToken) =>
        StoredDocuments.CreateAsync(store, Key(cluster, entry.PrincipalArn), entry, AccessEntryJson.Default.AccessEntry,
            () => new AwsException("ResourceInUseException", "The specified access entry resource is already in use on this cluster.", 409), cancellationToken);

    public Task<AccessEntry> UpdateAsync(EksCluster cluster, AccessEntry entry, Func<AccessEntry, AccessEntry> change, CancellationToken cancellationToken) =>
        StoredDocuments.UpdateAsync(store, Key(cluster, entry.PrincipalArn), AccessEntryJson.Default.AccessEntry, change, NotFound, cancellationToken);

    public Task DeleteAsync(EksCluster cluster, AccessEntry entry, CancellationToken cancellationToken) =>
        StoredDocuments.DeleteAsync(store, Key(cluster, entry.PrincipalArn), NotFound, cancellationToken);

    /// <summary>Deletes every entry of a cluster that is going.</summary>
    public async Task DeleteAllAsync(EksCluster cluster, CancellationToken cancellationToken)
    {
        foreach (var entry in await ListAsync(cluster, cancellationToken))
        {
            await DeleteAsync(cluster, entry, cancellationToken);
        }
    }

    public static AwsException NotFound() => new("ResourceNotFoundException", "The specified principalArn could not be found.", 404);

    public async Task<AccessDecision> ResolveAsync(string cluster, AwsIdentity identity, CancellationToken cancellationToken)
    {
        if ((await clusters.ListAllAsync(cancellationToken)).FirstOrDefault(c => c.Name == cluster) is not { } owner)
        {
            return AccessDecision.ConfigMapOnly;
        }
        var mode = AuthenticationMode(owner);
        var configMap = mode.Contains("CONFIG_MAP", StringComparison.Ordinal);
        if (!mode.StartsWith("API", StringComparison.Ordinal) || await FindAsync(owner, identity.CanonicalArn, cancellationToken) is not { } entry)
        {
            return new AccessDecision(null, configMap);
        }
        var grants = entry.Policies.Where(p => Policies.ContainsKey(p.PolicyArn))
            .Select(p => new AccessGrant(Policies[p.PolicyArn], p.ScopeType == "namespace" ? p.Namespaces : null))
            .ToList();
        var username = entry.Username.Replace("{{SessionName}}", identity.SessionName ?? "", StringComparison.Ordinal)
            .Replace("{{AccountID}}", identity.AccountId, StringComparison.Ordinal);
        return new AccessDecision(new ClusterAccess(username, entry.KubernetesGroups, grants), configMap);
    }

    public static string AuthenticationMode(EksCluster cluster) => cluster.AccessConfig["authenticationMode"]?.GetValue<string>() ?? "API_AND_CONFIG_MAP";
}
