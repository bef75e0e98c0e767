using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Berth.Agent.Client;

/// <summary>The cluster's authorities as the agent trusts them: for the API server it calls and for the clients that call it.</summary>
internal static class ClusterTrust
{
    /// <summary>The extended key usage a client certificate must allow (TLS web client authentication).</summary>
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// Whether <paramref name="certificate"/> chains to one of <paramref name="authorities"/> (and, when named, allows
    /// <paramref name="purpose"/>); revocation is not checked, as a cluster's authorities publish no lists.
    /// </summary>
    public static bool IssuedBy(X509Certificate2 certificate, X509Certificate2Collection authorities, string? purpose = null)
    {
        if (authorities.Count == 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (purpose is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(purpose));
        }
        return chain.Build(certificate);
    }
}
