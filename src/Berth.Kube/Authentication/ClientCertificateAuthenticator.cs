using System.Security.Cryptography.X509Certificates;
using Berth.Kube.Pki;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Authentication;

/// <summary>
/// Kubernetes' x509 authentication: a client certificate issued by the install's CA names the user in its
/// common name and the groups in its organizations.
/// </summary>
/// <remarks>
/// The certificate belongs to the TLS connection, so the answer is worked out once per connection, in the
/// <see cref="ConnectionAuthentication"/> slot the listener puts on every connection; HTTP/2 requests that
/// arrive together on one connection share it.
/// </remarks>
internal sealed class ClientCertificateAuthenticator(ClusterPki pki)
{
    public Task<KubeUser?> AuthenticateAsync(HttpContext context)
    {
        var slot = context.Features.Get<IConnectionItemsFeature>()?.Items[ConnectionAuthentication.Key] as ConnectionAuthentication
            ?? throw new InvalidOperationException("the Kubernetes listener did not prepare the connection");
        return slot.GetOrStart(() => AuthenticateConnectionAsync(context));
    }

    private async Task<KubeUser?> AuthenticateConnectionAsync(HttpContext context)
    {
        var certificate = await context.Connection.GetClientCertificateAsync(CancellationToken.None);
        if (certificate is null || !pki.IsTrusted(certificate))
        {
            return null;
        }
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var groups = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10") // O=
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .Append("system:authenticated")
            .ToList();
        return new KubeUser(name, groups);
    }
}
