using System.Text;
using Berth.Kube.Pki;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Berth.Kube.Hosting;

/// <summary>
/// Where clients reach each cluster's API: under the Kubernetes listener's address, once the server listens, at
/// <c>/clusters/{name}</c>; and the CA that signs the listener's certificate, as kubeconfigs carry it.
/// </summary>
public sealed class ClusterEndpoints(IServer server, ClusterPki pki)
{
    /// <summary>The Kubernetes listener's address, or null before the server listens.</summary>
    public Uri? Listener => server.Features.Get<IServerAddressesFeature>()?.Addresses
        .Select(a => new Uri(a))
        .FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttps);

    /// <summary>The URL of <paramref name="cluster"/>'s API, or null before the server listens.</summary>
    public Uri? Of(string cluster) => Listener is { } listener ? new Uri(listener, $"/clusters/{cluster}") : null;

    /// <summary>
    /// A kubeconfig for <paramref name="cluster"/> with the install's administrator certificate, for the node agents the
    /// server starts itself; null before the server listens.
    /// </summary>
    public string? AdminKubeconfig(string cluster) => Listener is { } listener ? KubeconfigFile.Render(cluster, listener, pki) : null;

    /// <summary>The CA certificate in PEM, base64-encoded as kubeconfig's <c>certificate-authority-data</c> and EKS's <c>certificateAuthority.data</c> carry it.</summary>
    public string CertificateAuthorityData => Convert.ToBase64String(Encoding.ASCII.GetBytes(pki.Authority.ExportCertificatePem()));
}
