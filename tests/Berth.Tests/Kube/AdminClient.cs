using System.Security.Cryptography.X509Certificates;

namespace Berth.Tests.Kube;

/// <summary>HTTP clients for a server's Kubernetes API, trusting only the install's CA.</summary>
internal static class AdminClient
{
    /// <summary>A client that presents the administrator's certificate.</summary>
    public static HttpClient Create(string dataDirectory, Uri kubeAddress) => Create(dataDirectory, kubeAddress, asAdmin: true);

    /// <summary>A client with no credentials of its own, for requests that carry a bearer token or none.</summary>
    public static HttpClient CreateAnonymous(string dataDirectory, Uri kubeAddress) => Create(dataDirectory, kubeAddress, asAdmin: false);

    private static HttpClient Create(string dataDirectory, Uri kubeAddress, bool asAdmin)
    {
        var pki = Path.Combine(dataDirectory, "pki");
        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(pki, "ca.crt")));
        var handler = new HttpClientHandler();
        if (asAdmin)
        {
            handler.ClientCertificates.Add(X509Certificate2.CreateFromPemFile(Path.Combine(pki, "admin.crt"), Path.Combine(pki, "admin.key")));
        }
        handler.ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
        {
            chain!.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            return chain.Build(certificate!);
        };
        return new HttpClient(handler) { BaseAddress = new Uri(kubeAddress, "/clusters/default/") };
    }
}
