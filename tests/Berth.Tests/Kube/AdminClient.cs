using System.Security.Cryptography.X509Certificates;

namespace Berth.Tests.Kube;

/// <summary>An HTTP client for a server's Kubernetes API, as the administrator, trusting only the install's CA.</summary>
internal static class AdminClient
{
    public static HttpClient Create(string dataDirectory, Uri kubeAddress)
    {
        var pki = Path.Combine(dataDirectory, "pki");
        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(pki, "ca.crt")));
        var handler = new HttpClientHandler();
        handler.ClientCertificates.Add(X509Certificate2.CreateFromPemFile(Path.Combine(pki, "admin.crt"), Path.Combine(pki, "admin.key")));
        handler.ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
        {
            chain!.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            return chain.Build(certificate!);
        };
        return new HttpClient(handler) { BaseAddress = new Uri(kubeAddress, "/clusters/default/") };
    }
}
