using System.Security.Cryptography.X509Certificates;
using System.Text;
using Berth.Kube.Pki;

namespace Berth.Kube.Hosting;

/// <summary>The kubeconfig for a cluster's administrator: the server URL, the CA and the admin's client certificate.</summary>
internal static class KubeconfigFile
{
    public static string Render(string cluster, Uri server, ClusterPki pki)
    {
        static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
        using var adminKey = pki.Admin.GetECDsaPrivateKey()!;
        var name = $"berth-{cluster}";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {name}
              cluster:
                server: {new Uri(server, $"/clusters/{cluster}")}
                certificate-authority-data: {Base64(pki.Authority.ExportCertificatePem())}
            users:
            - name: {name}-admin
              user:
                client-certificate-data: {Base64(pki.Admin.ExportCertificatePem())}
                client-key-data: {Base64(adminKey.ExportPkcs8PrivateKeyPem())}
            contexts:
            - name: {name}
              context:
                cluster: {name}
                user: {name}-admin
            current-context: {name}

            """;
    }
}
