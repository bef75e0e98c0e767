using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Berth.Client.Clusters;

/// <summary>
/// The IAM OIDC provider of a cluster's service-account issuer (<c>--with-oidc</c>, <c>iam.withOIDC</c>), which IAM
/// roles for service accounts trust; made once, found again by its URL.
/// </summary>
public sealed class OidcProviders(ClusterSession session)
{
    /// <summary>The provider's ARN; made when the cluster has none yet.</summary>
    public async Task<string> AssociateAsync(JsonObject cluster, CancellationToken cancellationToken)
    {
        var name = cluster["name"]!.GetValue<string>();
        var issuer = Issuer(cluster);
        if (await FindAsync(cluster, cancellationToken) is { } existing)
        {
            return existing;
        }
        var ca = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(string.Concat(System.Text.Encoding.ASCII.GetString(
            Convert.FromBase64String(cluster["certificateAuthority"]!["data"]!.GetValue<string>())).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('-')))));
        var arn = await session.Iam.CreateOpenIdConnectProviderAsync(issuer, "sts.amazonaws.com",
            ca.GetCertHashString().ToLowerInvariant() /* IAM's thumbprints are the CA's SHA-1 */, ClusterRoles.Tags(name), cancellationToken);
        session.Log.Success($"created IAM Open ID Connect provider for cluster \"{name}\" ({issuer})");
        return arn;
    }

    /// <summary>The ARN of the provider for the cluster's issuer, or null when none is associated.</summary>
    public async Task<string?> FindAsync(JsonObject cluster, CancellationToken cancellationToken)
    {
        var suffix = ":oidc-provider/" + HostPath(cluster);
        return (await session.Iam.ListOpenIdConnectProvidersAsync(cancellationToken)).FirstOrDefault(a => a.EndsWith(suffix, StringComparison.Ordinal));
    }

    public static string Issuer(JsonObject cluster) => cluster["identity"]?["oidc"]?["issuer"]?.GetValue<string>()
        ?? throw new ClusterCommandException($"cluster \"{cluster["name"]}\" has no OIDC issuer yet");

    /// <summary>The issuer without its scheme, as IAM names providers and their condition keys.</summary>
    public static string HostPath(JsonObject cluster) => Issuer(cluster)["https://".Length..].TrimEnd('/');
}
