namespace Berth.Kube.Authentication;

/// <summary>A connection's authentication, started by its first request and shared by the rest.</summary>
internal sealed class ConnectionAuthentication
{
    public const string Key = "berth.kube.authentication";

    private readonly Lock _lock = new();
    private Task<KubeUser?>? _user;

    public Task<KubeUser?> GetOrStart(Func<Task<KubeUser?>> authenticate)
    {
        lock (_lock)
        {
            return _user ??= authenticate();
        }
    }
}
