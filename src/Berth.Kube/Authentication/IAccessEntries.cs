namespace Berth.Kube.Authentication;

/// <summary>
/// The cloud side's cluster access entries (EKS's access entries): whom an AWS identity is in a cluster, and the
/// roles its access policies grant, decided before the <c>aws-auth</c> ConfigMap is read.
/// </summary>
public interface IAccessEntries
{
    Task<AccessDecision> ResolveAsync(string cluster, AwsIdentity identity, CancellationToken cancellationToken);
}

/// <summary>
/// What the access entries say of an identity: the access its entry gives (null: it has none), and whether the
/// cluster also reads the <c>aws-auth</c> ConfigMap and makes its creator an administrator (its authentication mode
/// includes <c>CONFIG_MAP</c>).
/// </summary>
public sealed record AccessDecision(ClusterAccess? Access, bool ConfigMapApplies)
{
    /// <summary>A cluster the cloud side knows nothing of: the ConfigMap decides.</summary>
    public static readonly AccessDecision ConfigMapOnly = new(null, true);
}

/// <summary>An identity's access to a cluster: its Kubernetes user name and groups, and the roles granted to it.</summary>
public sealed record ClusterAccess(string Username, IReadOnlyList<string> Groups, IReadOnlyList<AccessGrant> Grants);

/// <summary>The rules of a ClusterRole, granted in the whole cluster (<see cref="Namespaces"/> null) or in the namespaces named.</summary>
public sealed record AccessGrant(string ClusterRole, IReadOnlyList<string>? Namespaces);
