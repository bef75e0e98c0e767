using System.Security.Cryptography.X509Certificates;
using Berth.Kube.Pki;
using Microsoft.AspNetCore.Http;

namespace Berth.Kube.Authentication;

/// <summary>
/// Kubernetes' x509 authentication: a client certificate issued by the install's CA names the user in its
/// common name and the groups in its organizations.
/// </summary>
internal sealed class ClientCertificateAuthenticator(ClusterPki pki)
{
    public async Task<KubeUser?> AuthenticateAsync(HttpContext context)
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
