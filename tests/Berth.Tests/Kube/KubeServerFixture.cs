namespace Berth.Tests.Kube;

/// <summary>One <c>berth server</c> shared by a test class, with kubectl pointed at its kubeconfig.</summary>
public class KubeServerFixture : IAsyncLifetime
{
    /// <summary>Options the server is started with beyond its data folder and ports.</summary>
    protected virtual IReadOnlyList<string> ServerArguments => [];

    private readonly TempDirectory _data = new();
    private BerthProcess? _server;

    internal Kubectl Kubectl { get; private set; } = null!;

    internal BerthProcess Server => _server!;

    /// <summary>The AWS endpoint and registry's address.</summary>
    internal Uri AwsAddress { get; private set; } = null!;

    public string KubeconfigPath => _data.File("kubeconfig");

    /// <summary>The server's data folder, for tests that look at what it keeps on disk.</summary>
    internal string DataDirectory => _data.Path;

    /// <summary>An HTTP client that presents the administrator's certificate and trusts the install's CA.</summary>
    internal HttpClient CreateAdminClient() => AdminClient.Create(_data.Path, Server.KubeAddress);

    /// <summary>An HTTP client that trusts the install's CA and presents no certificate.</summary>
    internal HttpClient CreateAnonymousClient() => AdminClient.CreateAnonymous(_data.Path, Server.KubeAddress);

    public async ValueTask InitializeAsync()
    {
        (_server, var awsAddress) = await BerthProcess.StartServerAsync(_data.Path, [.. ServerArguments]);
        AwsAddress = awsAddress;
        Kubectl = new Kubectl(KubeconfigPath, _data.File("kubectl-cache"), _data.File("manifests"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _data.Dispose();
        GC.SuppressFinalize(this);
    }
}
