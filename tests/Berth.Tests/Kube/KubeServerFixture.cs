namespace Berth.Tests.Kube;

/// <summary>One <c>berth server</c> shared by a test class, with kubectl pointed at its kubeconfig.</summary>
public sealed class KubeServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private BerthProcess? _server;

    internal Kubectl Kubectl { get; private set; } = null!;

    internal BerthProcess Server => _server!;

    public string KubeconfigPath => _data.File("kubeconfig");

    /// <summary>An HTTP client that presents the administrator's certificate and trusts the install's CA.</summary>
    internal HttpClient CreateAdminClient()
    {
        var authority = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(_data.File("pki/ca.crt")));
        var handler = new HttpClientHandler();
        handler.ClientCertificates.Add(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            _data.File("pki/admin.crt"), _data.File("pki/admin.key")));
        handler.ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
        {
            chain!.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            return chain.Build(certificate!);
        };
        return new HttpClient(handler) { BaseAddress = new Uri(Server.KubeAddress, "/clusters/default/") };
    }

    public async ValueTask InitializeAsync()
    {
        (_server, _) = await BerthProcess.StartServerAsync(_data.Path);
        Kubectl = new Kubectl(KubeconfigPath, _data.File("kubectl-cache"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _data.Dispose();
    }
}
