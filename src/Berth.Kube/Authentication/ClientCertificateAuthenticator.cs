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
/// The certificate belongs to the TLS connection, so the result is kept with the connection: the chain is
/// built once per connection, not once per request.
/// </remarks>
internal sealed class ClientCertificateAuthenticator(ClusterPki pki)
{
    private const string ConnectionUser = "berth.kube.user";

    public async Task<KubeUser?> AuthenticateAsync(HttpContext context)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items?.TryGetValue(ConnectionUser, out var known) == true)
        {
            return known as KubeUser;
        }
        var user = await AuthenticateConnectionAsync(context);
        if (items is not null)
        {
            items[ConnectionUser] = user;
        }
        return user;
    }

    private async Task<KubeUser?> AuthenticateConnectionAsync(HttpContext context)
    {
        var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted);
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
